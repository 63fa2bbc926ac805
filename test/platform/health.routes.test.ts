import type { Express } from 'express';
import assert from 'node:assert/strict';
import request from 'supertest';
import { buildApp } from '../support/app';
import { testEngines } from '../support/engines';

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('health endpoints', () => {
  let app: Express;
  before(() => {
    app = buildApp().app;
  });

  describe('GET /healthz', () => {
    it('responds 200 while the process is up', async () => {
      const res = await request(app).get('/healthz').expect(200);
      assert.equal(res.body.status, 'ok');
      assert.equal(res.headers['cache-control'], 'no-store');
    });
  });

  describe('GET /readyz', () => {
    it('responds 200 when the database answers', async () => {
      const res = await request(app).get('/readyz').expect(200);
      assert.deepEqual(res.body.checks, { database: 'ok' });
    });

    describe('when the database engine is stopped', () => {
      after(async function () {
        this.timeout(60_000);
        const { db } = testEngines();
        if (!db.running) await db.start();
        await until(async () => (await request(app).get('/readyz')).status === 200, 30_000);
      });

      it('responds 503, pages answer 503 within 5 s, and both recover when it is back', async function () {
        this.timeout(60_000);
        const { db } = testEngines();
        // A visitor with a session: every request of theirs needs the session store.
        const visitor = request.agent(app);
        await visitor.get('/login').expect(200);
        await db.stop();

        const ready = await request(app).get('/readyz');
        assert.equal(ready.status, 503);
        assert.equal(ready.body.checks.database, 'down');

        const started = Date.now();
        const page = await visitor.get('/cart').set('Accept', 'text/html');
        assert.equal(page.status, 503);
        assert.ok(Date.now() - started < 5_000, `503 took ${Date.now() - started} ms`);
        assert.match(page.text, /<h1>Servizio momentaneamente non disponibile<\/h1>/);
        assert.equal(page.headers['retry-after'], '5');

        await db.start();
        await until(async () => (await request(app).get('/readyz')).status === 200, 30_000);
        await visitor.get('/cart').expect(200);
      });
    });
  });
});
