import { createHash } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One write that reached the counter (a POST), as Stripe would have seen it. */
export interface CountedRequest {
  method: string;
  /** e.g. /v1/transfers, /v1/transfers/tr_…/reversals, /v1/refunds */
  path: string;
  /** The `amount` parameter in cents, when the request had one. */
  amount: number | null;
  idempotencyKey: string | null;
  /** The form parameters as sent (`metadata[orderId]` and so on). */
  params: Record<string, string>;
  /** The status the client got back. */
  status: number;
  /** The id of the object Stripe answered with (stripe-mock makes a new one per create). */
  objectId: string | null;
  /**
   * 'created': forwarded to stripe-mock (a new object, if 2xx);
   * 'replayed': same key and same parameters as an earlier request, answered
   *   with the first response, as Stripe does (no new object);
   * 'conflict': same key, other parameters: refused as Stripe refuses it.
   */
  outcome: 'created' | 'replayed' | 'conflict';
}

export interface StripeCounter {
  port: number;
  /** Every POST, in the order they arrived. */
  readonly requests: CountedRequest[];
  /** POSTs that made a new object at Stripe (forwarded and answered 2xx). */
  made(pathPattern: RegExp): CountedRequest[];
  close(): Promise<void>;
}

interface Stored {
  paramsHash: string;
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

const idOf = (body?: Buffer): string | null => {
  try {
    const id = (JSON.parse(body?.toString('utf8') ?? '') as { id?: unknown }).id;
    return typeof id === 'string' ? id : null;
  } catch {
    return null;
  }
};

const readBody = (req: IncomingMessage) =>
  new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });

/**
 * A small HTTP proxy in front of stripe-mock that counts every write (method,
 * path, amount, idempotency key) and keeps Stripe's idempotency promise,
 * which stripe-mock does not: a key used again with the same parameters is
 * answered with the first response and makes nothing new; with other
 * parameters it is refused with Stripe's `idempotency_error` (400). So what
 * "reached Stripe" in a test is what a real Stripe account would hold.
 */
export async function startStripeCounter(target: { host: string; port: number }): Promise<StripeCounter> {
  const requests: CountedRequest[] = [];
  const byKey = new Map<string, Promise<Stored>>();

  const forward = (req: IncomingMessage, body: Buffer) =>
    new Promise<Stored>((resolve, reject) => {
      const headers = { ...req.headers, host: `${target.host}:${target.port}` };
      const out = httpRequest({ host: target.host, port: target.port, method: req.method, path: req.url, headers }, (res) => {
        readBody(res).then(
          (b) =>
            resolve({
              paramsHash: '',
              status: res.statusCode ?? 502,
              headers: Object.fromEntries(
                Object.entries(res.headers)
                  .filter(([k]) => !['content-length', 'transfer-encoding', 'connection'].includes(k))
                  .map(([k, v]) => [k, String(v)]),
              ),
              body: b,
            }),
          reject,
        );
      });
      out.on('error', reject);
      out.end(body);
    });

  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      if (req.method !== 'POST') {
        const r = await forward(req, body);
        res.writeHead(r.status, r.headers).end(r.body);
        return;
      }
      const params = Object.fromEntries(new URLSearchParams(body.toString('utf8')));
      const key = typeof req.headers['idempotency-key'] === 'string' ? req.headers['idempotency-key'] : null;
      const paramsHash = createHash('sha256')
        .update(`${req.url} ${body.toString('utf8')}`)
        .digest('hex');
      const record = (status: number, outcome: CountedRequest['outcome'], answer?: Buffer) =>
        requests.push({
          method: 'POST',
          path: (req.url ?? '').split('?')[0]!,
          amount: params.amount !== undefined ? Number(params.amount) : null,
          idempotencyKey: key,
          params,
          status,
          objectId: idOf(answer),
          outcome,
        });
      let stored: Stored;
      let outcome: CountedRequest['outcome'] = 'created';
      const first = key ? byKey.get(key) : undefined;
      if (first) {
        // A request with a key Stripe has seen: wait for the first one's answer (Stripe serialises them too).
        const prior = await first.catch(() => null);
        if (prior && prior.paramsHash !== paramsHash) {
          const error = {
            error: {
              type: 'idempotency_error',
              message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
            },
          };
          record(400, 'conflict');
          res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify(error));
          return;
        }
        if (prior) {
          stored = prior;
          outcome = 'replayed';
        } else stored = await forward(req, body);
      } else {
        const p = forward(req, body).then((r) => ({ ...r, paramsHash }));
        if (key) byKey.set(key, p);
        stored = await p;
        // Stripe does not keep a key whose request failed validation; stripe-mock's 4xx is such a failure.
        if (key && stored.status >= 400) byKey.delete(key);
      }
      record(stored.status, outcome, stored.body);
      res.writeHead(stored.status, stored.headers).end(stored.body);
    })().catch((err: unknown) => {
      res
        .writeHead(502, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: { type: 'api_error', message: String(err) } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    requests,
    made: (pathPattern) => requests.filter((r) => r.outcome === 'created' && r.status < 300 && pathPattern.test(r.path)),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
