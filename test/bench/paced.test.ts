import { strict as assert } from 'node:assert';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Request } from 'autocannon';
import { paced } from '../../bench/paced';

/** A local server whose answer to each request the test decides. */
async function serve(handler: (path: string, body: string) => Promise<[number, string]>): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      void handler(req.url ?? '/', body).then(([status, text]) => res.writeHead(status).end(text));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('bench: the paced (open-loop) load', () => {
  let server: Server | undefined;
  afterEach(() => server?.close());

  it('starts rounds at the planned rate, evenly, and counts every answer', async () => {
    const started: number[] = [];
    const s = await serve(async () => {
      started.push(performance.now());
      await sleep(20);
      return [200, 'ok'];
    });
    server = s.server;
    const r = await paced({ url: `${s.url}/` }, { perSec: 50, durationSec: 1 });
    assert.equal(r.rounds, 50);
    assert.deepEqual(r.statuses, { '200': 50 });
    assert.equal(r.errors, 0);
    assert.ok(r.p50Ms >= 20 && r.p50Ms < 100, `p50 ${r.p50Ms}`);
    // Evenly spaced, not in bursts: the typical gap is 20 ms and the gaps average 20 ms. A busy
    // machine may delay one send so that two arrive together (the open loop catches up, as it
    // should), so a few close pairs are allowed; a sender that bursts would have most gaps near 0.
    const gaps = started.slice(1).map((t, i) => t - started[i]!);
    const median = [...gaps].sort((x, y) => x - y)[Math.floor(gaps.length / 2)]!;
    assert.ok(Math.abs(median - 20) < 4, `median gap ${median.toFixed(1)} ms`);
    const close = gaps.filter((g) => g < 5).length;
    assert.ok(close <= gaps.length / 10, `${close} of ${gaps.length} arrivals within 5 ms of the one before`);
    const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
    assert.ok(Math.abs(mean - 20) < 3, `mean gap ${mean.toFixed(1)} ms`);
  });

  it('counts a stall against every request that was due during it', async () => {
    // The server holds every answer until 300 ms after the first request arrived.
    let first: number | undefined;
    const s = await serve(async () => {
      first ??= performance.now();
      await sleep(Math.max(0, first + 300 - performance.now()));
      return [200, 'ok'];
    });
    server = s.server;
    const r = await paced({ url: `${s.url}/` }, { perSec: 50, durationSec: 1 });
    assert.equal(r.rounds, 50);
    // About 15 requests were due in the stall, waiting 300, 280, … ms: not one slow request among quick ones.
    assert.ok(r.p50Ms < 50, `p50 ${r.p50Ms}`);
    assert.ok(r.p90Ms >= 100, `p90 ${r.p90Ms}`);
    assert.ok(r.maxMs >= 280, `max ${r.maxMs}`);
  });

  it("runs a round's requests in order with one context, and reports refusals and failures", async () => {
    const s = await serve(async (path, body) => {
      if (path === '/first') return [201, JSON.stringify({ token: 't-42' })];
      return body === 'token=t-42' ? [200, 'paid'] : [409, 'stale'];
    });
    server = s.server;
    const base = s.url;
    const requests: Request[] = [
      {
        method: 'POST',
        path: '/first',
        onResponse: (_status: number, body: string, context: object) => {
          (context as { token?: string }).token = (JSON.parse(body) as { token: string }).token;
        },
      },
      {
        method: 'POST',
        path: '/second',
        setupRequest: (req: Request, context: object) => ({ ...req, body: `token=${(context as { token?: string }).token}` }),
      },
    ];
    const ok = await paced({ url: base, requests }, { perSec: 20, durationSec: 0.5 });
    assert.deepEqual(ok.statuses, { '200': 10, '201': 10 });
    assert.equal(ok.non2xx, 0);

    const refused = await paced(
      { url: base, requests: [{ method: 'POST', path: '/second', body: 'token=old' }] },
      { perSec: 20, durationSec: 0.5 },
    );
    assert.deepEqual(refused.statuses, { '409': 10 });
    assert.equal(refused.non2xx, 10);

    const gone = await paced({ url: 'http://127.0.0.1:9/' }, { perSec: 20, durationSec: 0.25 });
    assert.equal(gone.errors, 5);
    assert.deepEqual(gone.statuses, {});
  });
});
