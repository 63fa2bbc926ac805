/**
 * Periodic work. Features describe their jobs (`Job`) and export them from
 * their `index.ts`; nothing starts on import. `server.ts` gives them all to
 * one `JobRunner`, which it starts after listening and stops on shutdown.
 */
export interface Job {
  /** Unique, kebab-case; also the lease's key. */
  name: string;
  /** Aim between runs; the runner adds jitter. */
  everyMs: number;
  run: () => Promise<unknown>;
  /**
   * Runs in every app process (refreshing this process's memory, e.g. the
   * catalogue read model). Otherwise one process at a time holds the job's
   * lease and runs it.
   */
  perProcess?: boolean;
}
