import type { Server, ServerResponse } from 'node:http';

/** A handler whose client left is waited for at most this long (one stuck for good must not hold shutdown). */
const ABANDONED_MAX_MS = 60_000;

/**
 * The requests a server is answering, for a graceful shutdown that waits
 * for their handlers, not only for their connections.
 *
 * A client that gives up (a closed tab, a load balancer's timeout, a
 * benchmark's last requests) closes its connection while the handler is
 * still waiting for the database. The server counts the connection gone;
 * the handler goes on and will write, then answer a socket nobody reads.
 * Closing the database under it made that handler fail half-way (the
 * driver's `MongoClientClosedError`). Such responses are kept here until
 * their handler ends them (`writableEnded`), which `drained()` waits for.
 */
export class RequestDrain {
  private readonly open = new Set<ServerResponse>();
  private readonly abandoned = new Map<ServerResponse, number>();
  private stopping = false;

  /** Call first for every request (the server's request listener). */
  track(res: ServerResponse): void {
    // While shutting down, each answer closes its connection, so keep-alive clients leave as their requests finish.
    if (this.stopping) res.setHeader('Connection', 'close');
    this.open.add(res);
    res.once('close', () => {
      this.open.delete(res);
      if (!res.writableEnded) this.abandoned.set(res, Date.now());
      this.prune();
    });
  }

  /** Requests whose connection is open, and handlers still running for clients that left. */
  get size(): { open: number; abandoned: number } {
    this.prune();
    return { open: this.open.size, abandoned: this.abandoned.size };
  }

  /**
   * Stops the server taking connections, tells keep-alive clients to leave,
   * then resolves once every connection has closed and every handler has
   * ended its response, or after `deadlineMs` (connections still open are
   * then closed; a handler still running is left to fail).
   */
  async drain(server: Server, deadlineMs: number, onLate: (left: { open: number; abandoned: number }) => void): Promise<void> {
    this.stopping = true;
    for (const res of this.open) if (!res.headersSent) res.setHeader('Connection', 'close');
    const until = Date.now() + deadlineMs;
    let late = false;
    const force = setTimeout(() => {
      late = true;
      onLate(this.size);
      server.closeAllConnections();
    }, deadlineMs);
    force.unref();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    });
    clearTimeout(force);
    while (this.size.abandoned > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    if (this.abandoned.size > 0 && !late) onLate(this.size);
  }

  private prune(now = Date.now()): void {
    for (const [res, since] of this.abandoned) if (res.writableEnded || now - since > ABANDONED_MAX_MS) this.abandoned.delete(res);
  }
}
