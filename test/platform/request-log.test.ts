import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import express from 'express';
import request from 'supertest';
import { createLogger } from '../../src/platform/logger';
import { requestLogger } from '../../src/platform/request-log';

/** An app with the request log at `level`, and the lines it wrote. */
function logged(level: string) {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const app = express();
  app.use(requestLogger(createLogger(level, false, sink)));
  app.get('/ok', (_req, res) => res.send('ok'));
  app.get('/logs', (req, res) => {
    req.log.warn({ step: 'one' }, 'something to say');
    res.send('said');
  });
  app.get('/missing', (_req, res) => res.status(404).send('no'));
  app.get('/broken', (_req, res) => res.status(500).send('broken'));
  app.get('/healthz', (_req, res) => res.send('up'));
  return { app, lines };
}

const settle = () => new Promise((r) => setTimeout(r, 20));

describe('the request log', () => {
  it('writes one line per request with its id, status and redacted URL, and echoes the id', async () => {
    const { app, lines } = logged('info');
    const res = await request(app).get('/ok?token=abcdefabcdefabcdefabcdefabcdef01').expect(200);
    await request(app).get('/missing').expect(404);
    await request(app).get('/broken').expect(500);
    await request(app).get('/healthz').expect(200);
    await settle();
    assert.equal(lines.length, 3, 'the probe is not logged');
    const [ok, missing, broken] = lines as { level: number; msg: string; req: { id: string; url: string }; res: { status: number } }[];
    assert.equal(ok!.req.id, res.headers['x-request-id']);
    assert.doesNotMatch(ok!.req.url, /abcdefabcdef/);
    assert.equal(ok!.msg, 'request completed');
    assert.deepEqual([ok!.level, missing!.level, broken!.level], [30, 40, 50]);
    assert.equal(broken!.msg, 'request errored');
  });

  it('keeps a valid incoming request id and replaces one that is not', async () => {
    const { app } = logged('info');
    const kept = await request(app).get('/ok').set('X-Request-Id', 'lb-1234567890').expect(200);
    assert.equal(kept.headers['x-request-id'], 'lb-1234567890');
    const replaced = await request(app).get('/ok').set('X-Request-Id', 'bad id; drop').expect(200);
    assert.match(String(replaced.headers['x-request-id']), /^[0-9a-f-]{36}$/);
  });

  it('puts the request on every line a route logs, and at a higher level writes only what reaches it', async () => {
    const { app, lines } = logged('warn');
    await request(app).get('/ok').expect(200);
    const res = await request(app).get('/logs').expect(200);
    await request(app).get('/missing').expect(404);
    await settle();
    assert.deepEqual(
      lines.map((l) => l.msg),
      ['something to say', 'request completed'],
    );
    assert.equal((lines[0]!.req as { id: string }).id, res.headers['x-request-id']);
    assert.equal(lines[0]!.step, 'one');
    assert.equal((lines[1]!.res as { status: number }).status, 404);
  });
});
