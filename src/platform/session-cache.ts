import { createHash } from 'node:crypto';

/**
 * Sessions this process has read or written, so a visitor's page views
 * need no read of the session store.
 *
 * Why it is safe across several app processes: every response that leaves
 * a session in a state the visitor has not seen yet also sets a small
 * cookie holding a hash of the session's content (`contentHash`). A GET is
 * answered from here only when the visitor's cookie names exactly the
 * content this process holds. If another process changed the session (a
 * cart change, a new CSRF token, a flash message), its response gave the
 * visitor the new hash, so the next request here misses and reads the
 * store. Content compared by hash also makes A→B→A changes harmless: equal
 * hashes mean equal content.
 *
 * A signed-in session can also be ended from elsewhere (sign-out in another
 * process, a password reset ending every session of the user, a rotation
 * when the user's rights change), and the visitor's cookie would not say
 * so. Such a session is served from here only as *held since* the time it
 * was read or written (`get` answers it); the user's loading (accounts'
 * `loadUser`, which reads the user document on every request anyway)
 * compares that time with when the user's sessions were last ended, and
 * reads the store again when the copy may predate it.
 *
 * What it does not cover, on purpose:
 * - anything but GET and HEAD: a request that may change state reads the
 *   store, so a forged or old hash can at most show a visitor their own
 *   earlier session, never change anything with it.
 * - a session changed after its response's headers went out (no route does
 *   this): the visitor would keep the earlier hash.
 */
export class SessionCache {
  private readonly entries = new Map<
    string,
    { hash: string; json: string; expiresAt: number; at: number; shared?: Readonly<Record<string, unknown>> }
  >();

  constructor(
    private readonly max = 20_000,
    /** However the hashes match, an entry is read again from the store after this long. */
    private readonly maxAgeMs = 10 * 60_000,
  ) {}

  /**
   * A fresh copy of the session `sid`, and since when this process holds
   * that content (ms), when `hash` names the content held here and it has
   * not expired; else undefined.
   */
  get(sid: string, hash: string | undefined, now = Date.now()): { session: Record<string, unknown>; since: number } | undefined {
    const e = this.entry(sid, hash, now);
    return e && { session: JSON.parse(e.json) as Record<string, unknown>, since: e.at };
  }

  /**
   * The same content, for a reader that changes nothing (the front door):
   * one copy, parsed once and frozen, shared by every such read, and since
   * when this process holds it.
   */
  peek(sid: string, hash: string | undefined, now = Date.now()): { session: Readonly<Record<string, unknown>>; since: number } | undefined {
    const e = this.entry(sid, hash, now);
    return e && { session: (e.shared ??= deepFreeze(JSON.parse(e.json) as Record<string, unknown>)), since: e.at };
  }

  private entry(sid: string, hash: string | undefined, now: number) {
    if (!hash) return undefined;
    const e = this.entries.get(sid);
    if (!e || e.hash !== hash) return undefined;
    if (e.expiresAt <= now || now - e.at > this.maxAgeMs) {
      this.entries.delete(sid);
      return undefined;
    }
    // Most recently used last, so the oldest go first when full.
    this.entries.delete(sid);
    this.entries.set(sid, e);
    return e;
  }

  /**
   * A copy of a session as read from or written to the store, taken now
   * (the request may go on changing its session); `keep()` holds it, once
   * the store has it.
   */
  copy(sid: string, session: Record<string, unknown>): { keep(): void } {
    const json = JSON.stringify(session);
    const hash = contentHash(session);
    const expires = (session.cookie as { expires?: string | Date } | undefined)?.expires;
    const at = Date.now();
    return {
      keep: (now = Date.now()) => {
        this.entries.delete(sid);
        if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!);
        // Held since the copy was taken: a read that started before the session was ended elsewhere counts from then.
        this.entries.set(sid, { hash, json, expiresAt: expires ? new Date(expires).getTime() : now + this.maxAgeMs, at });
      },
    };
  }

  /** Holds a session as read from or written to the store. */
  put(sid: string, session: Record<string, unknown>): void {
    this.copy(sid, session).keep();
  }

  /** Whether this process stored (or read) exactly this content of session `sid`. */
  holds(sid: string, hash: string): boolean {
    return this.entries.get(sid)?.hash === hash;
  }

  /** The store pushed the session's expiry on (a touch). */
  touched(sid: string, expires: Date | string | undefined): void {
    const e = this.entries.get(sid);
    if (e && expires) e.expiresAt = new Date(expires).getTime();
  }

  forget(sid: string): void {
    this.entries.delete(sid);
  }

  get size(): number {
    return this.entries.size;
  }
}

/** What the session holds, without its cookie settings and the store's bookkeeping; equal content, equal hash. */
export function contentHash(session: object): string {
  const json = JSON.stringify(session, (key, value: unknown) => (key === 'cookie' || key === 'lastModified' ? undefined : value));
  return createHash('sha1').update(json).digest('base64url').slice(0, 22);
}

function deepFreeze<T extends object>(o: T): T {
  for (const v of Object.values(o)) if (v && typeof v === 'object') deepFreeze(v as object);
  return Object.freeze(o);
}
