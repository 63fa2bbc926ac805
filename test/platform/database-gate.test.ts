import assert from 'node:assert/strict';
import express, { type ErrorRequestHandler } from 'express';
import request from 'supertest';
import type { DbHealth } from '../../src/platform/db-health';
import { databaseGate, useViews } from '../../src/platform/web';
import { testConfig } from '../support/app';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the database gate, and the work it answered for', () => {
  it('a page whose data comes back after the gate answered 503 is dropped, and the process goes on', async () => {
    // The engine stops answering while the page waits for it, then answers late: the gate has sent its 503 by then.
    const health = { up: true };
    let release!: () => void;
    const late = new Promise<void>((r) => (release = r));
    let rendered = false;
    const uncaught: unknown[] = [];
    const onUncaught = (err: unknown) => uncaught.push(err);
    process.prependListener('uncaughtException', onUncaught);

    const app = express();
    useViews(app, testConfig());
    const onError: ErrorRequestHandler = (_err, _req, res, _next) => void res.status(503).send('gate');
    app.use(databaseGate(health as DbHealth, onError, 50));
    app.get('/slow', async (_req, res) => {
      health.up = false;
      await late;
      res.locals.t = (key: string) => key;
      res.render('errors/500', { layout: false });
      rendered = true;
    });

    try {
      const res = await request(app).get('/slow');
      assert.equal(res.status, 503);
      assert.equal(res.text, 'gate');
      release();
      await sleep(50);
      assert.ok(rendered, 'the page rendered after the 503');
      assert.deepEqual(uncaught, []);
    } finally {
      process.removeListener('uncaughtException', onUncaught);
    }
  });
});
