import { Agent, request as httpRequest } from 'node:http';
import type { Options, Request } from 'autocannon';

/**
 * An open-loop load at a steady rate: a new round of the scenario's
 * requests starts every `1000 / perSec` ms, whether or not earlier rounds
 * have finished, as independent buyers would arrive. Each request's latency
 * is counted from when it was due, not from when it could be sent, so a
 * slow app cannot hide its queue from the figures (coordinated omission).
 *
 * Why not autocannon's `overallRate`: it splits the rate over its
 * connections and refills every connection's budget on one 1-second timer
 * per connection, all started together. At 100/s over 50 connections that
 * is 50 requests at the same instant at the top of each second, then 50
 * more as those finish, then nothing: a burst test, not a rate. Its
 * correction for omitted requests also takes the expected interval as
 * `ceil(1 / rate)` = 1 ms (seconds taken for milliseconds), so every
 * response of r ms adds r made-up samples between 1 and r ms.
 *
 * A round is the scenario's `requests` in order, with one context object
 * (as autocannon gives a connection): `setupRequest(req, context)` shapes
 * each request and `onResponse(status, body, context)` sees each answer.
 * The second request of a round is due when the first has answered.
 */
export interface PacedResult {
  /** Answered requests per second over the run. */
  requestsPerSec: number;
  /** Rounds that were due in the run (started at the planned rate). */
  rounds: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  non2xx: number;
  statuses: Record<string, number>;
  /** Requests with no answer (connection error or timeout). */
  errors: number;
  /** How far behind its plan the generator itself fell at worst, in ms (should be ~0). */
  lagMs: number;
}

export interface PacedOptions {
  perSec: number;
  durationSec: number;
  /** A request with no answer after this long counts as an error. */
  timeoutMs?: number;
}

interface Answer {
  status: number;
  body: string;
}

function send(agent: Agent, base: URL, req: Request, timeoutMs: number): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const body = req.body === undefined ? undefined : Buffer.from(req.body as string | Buffer);
    const headers: Record<string, string | number> = { ...(req.headers as Record<string, string>) };
    if (body) headers['content-length'] = body.length;
    const r = httpRequest(
      { agent, host: base.hostname, port: base.port, method: req.method ?? 'GET', path: req.path ?? '/', headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    r.setTimeout(timeoutMs, () => r.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    r.on('error', reject);
    r.end(body);
  });
}

const percentile = (sorted: number[], p: number): number =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * p) - 1)]! : 0;

export async function paced(scenario: Partial<Options>, opts: PacedOptions): Promise<PacedResult> {
  const base = new URL(String(scenario.url));
  const steps: Request[] = scenario.requests?.length
    ? scenario.requests
    : [{ method: scenario.method ?? 'GET', path: base.pathname + base.search, headers: scenario.headers, body: scenario.body } as Request];
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const agent = new Agent({ keepAlive: true, maxSockets: Infinity });
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let errors = 0;
  let lagMs = 0;

  async function round(due: number): Promise<void> {
    const context: object = {};
    let stepDue = due;
    for (const step of steps) {
      const plain = { ...step, headers: { ...scenario.headers, ...step.headers } };
      const shaped = typeof step.setupRequest === 'function' ? step.setupRequest(plain, context) : plain;
      let answer: Answer;
      try {
        answer = await send(agent, base, shaped as Request, timeoutMs);
      } catch {
        errors++;
        return;
      }
      const now = performance.now();
      latencies.push(now - stepDue);
      statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
      if (typeof step.onResponse === 'function') step.onResponse(answer.status, answer.body, context, undefined);
      stepDue = now;
    }
  }

  const interval = 1000 / opts.perSec;
  const count = Math.floor(opts.durationSec * opts.perSec);
  const started = performance.now() + 20;
  const running: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const due = started + i * interval;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    lagMs = Math.max(lagMs, performance.now() - due);
    running.push(round(due));
  }
  await Promise.all(running);
  const elapsedSec = (performance.now() - started) / 1000;
  agent.destroy();

  const sorted = latencies.sort((a, b) => a - b);
  const non2xx = Object.entries(statuses).reduce((n, [code, c]) => (code.startsWith('2') ? n : n + c), 0);
  const ms = (v: number) => Math.round(v);
  return {
    requestsPerSec: Math.round(latencies.length / elapsedSec),
    rounds: count,
    p50Ms: ms(percentile(sorted, 0.5)),
    p90Ms: ms(percentile(sorted, 0.9)),
    p99Ms: ms(percentile(sorted, 0.99)),
    maxMs: ms(sorted.at(-1) ?? 0),
    non2xx,
    statuses,
    errors,
    lagMs: ms(lagMs),
  };
}
