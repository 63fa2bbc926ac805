import assert from 'node:assert/strict';
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RequestDrain } from '../../src/platform/drain';

/** A server whose handler answers after `ms`, as one waiting on the database would. */
function slowServer(ms: number) {
  const drain = new RequestDrain();
  const ended: number[] = [];
  const server = createServer((_req, res) => {
    drain.track(res);
    setTimeout(() => {
      res.end('done');
      ended.push(Date.now());
    }, ms);
  });
  return { drain, ended, server };
}

const listen = (server: ReturnType<typeof createServer>) =>
  new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));

/** Sends a request and gives up on it after `afterMs`, as a closed tab does. */
function abandon(port: number, afterMs: number): Promise<void> {
  return new Promise((resolve) => {
    const req = request({ port, host: '127.0.0.1', path: '/' });
    req.on('error', () => {});
    req.end();
    setTimeout(() => {
      req.destroy();
      resolve();
    }, afterMs);
  });
}

describe('RequestDrain (graceful shutdown waits for handlers)', () => {
  it('waits for a handler whose client has left before resolving', async () => {
    const { drain, ended, server } = slowServer(400);
    const port = await listen(server);
    await abandon(port, 50);
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(drain.size, { open: 0, abandoned: 1 }, 'the connection is gone, the handler is not');
    const late: unknown[] = [];
    const t0 = Date.now();
    await drain.drain(server, 5_000, (left) => late.push(left));
    assert.equal(ended.length, 1, 'the handler ended before the drain resolved');
    assert.ok(Date.now() - t0 >= 250, 'it waited for the handler');
    assert.deepEqual(late, []);
    assert.deepEqual(drain.size, { open: 0, abandoned: 0 });
  });

  it('answers a request in flight in full, telling a keep-alive client to leave', async () => {
    const { drain, server } = slowServer(200);
    const port = await listen(server);
    const answer = new Promise<{ body: string; connection?: string }>((resolve, reject) => {
      const req = request({ port, host: '127.0.0.1', path: '/', agent: new Agent({ keepAlive: true }) }, (res) => {
        let body = '';
        res.on('data', (b: Buffer) => (body += b.toString()));
        res.on('end', () => resolve({ body, connection: res.headers.connection }));
      });
      req.on('error', reject);
      req.end();
    });
    await new Promise((r) => setTimeout(r, 50));
    await Promise.all([drain.drain(server, 5_000, () => {}), answer]);
    assert.deepEqual(await answer, { body: 'done', connection: 'close' });
  });

  it('gives up at the deadline on a handler that never ends, and says so', async () => {
    const { drain, server } = slowServer(60_000);
    const port = await listen(server);
    await abandon(port, 30);
    await new Promise((r) => setTimeout(r, 20));
    const late: { open: number; abandoned: number }[] = [];
    const t0 = Date.now();
    await drain.drain(server, 300, (left) => late.push(left));
    assert.ok(Date.now() - t0 < 2_000);
    assert.deepEqual(late, [{ open: 0, abandoned: 1 }]);
  });
});
