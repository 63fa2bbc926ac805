import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, waitForPort } from './ports';
import type { Logger } from './logger';

export type EngineKind = 'mongod' | 'ferretdb';

const FERRETDB_POOL_SIZE = 8;

export interface EngineOptions {
  dataDir: string;
  enginesDir: string;
  mongodBin?: string;
  /** Database name in the URI. */
  dbName?: string;
  logger?: Logger;
  /**
   * Called when the engine died and could not be started again for
   * `giveUpAfterMs`: the server exits non-zero then, for its own supervisor.
   */
  onGiveUp?: (err: Error) => void;
  giveUpAfterMs?: number;
}

/** Waits between restarts of an engine that died: quick at first, then every 5 s. */
const RESTART_DELAYS_MS = [200, 500, 1_000, 2_000, 5_000];

export class EngineNotFoundError extends Error {
  constructor(enginesDir: string) {
    super(
      [
        'No database engine found. Filiera needs one of:',
        '  - MongoDB: install it so `mongod` is on PATH, or set MONGOD_BIN to its path;',
        '  - a MongoDB you already run: set MONGODB_URI (e.g. mongodb://127.0.0.1:27017/filiera);',
        `  - FerretDB, built by the install: install Go (https://go.dev/dl), then run \`npm run engines\` (it builds into ${enginesDir}).`,
      ].join('\n'),
    );
    this.name = 'EngineNotFoundError';
  }
}

function onPath(cmd: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  const found = r.stdout.trim();
  return r.status === 0 && found ? found : undefined;
}

/** Picks the engine binary: MONGOD_BIN, then `mongod` on PATH, then the FerretDB we built. */
export function resolveEngine(opts: Pick<EngineOptions, 'enginesDir' | 'mongodBin'>): { kind: EngineKind; bin: string } {
  if (opts.mongodBin) {
    if (!existsSync(opts.mongodBin)) throw new Error(`MONGOD_BIN points to ${opts.mongodBin}, which does not exist`);
    return { kind: 'mongod', bin: opts.mongodBin };
  }
  const mongod = onPath('mongod');
  if (mongod) return { kind: 'mongod', bin: mongod };
  const ferret = join(opts.enginesDir, 'ferretdb');
  if (existsSync(ferret)) return { kind: 'ferretdb', bin: ferret };
  throw new EngineNotFoundError(opts.enginesDir);
}

/**
 * A database engine the app starts and owns: mongod or FerretDB (SQLite
 * backend) on a free loopback port with its data under `dataDir`.
 * It can be stopped and started again on the same port, which the fault
 * tests use to prove the app reconnects by itself.
 */
export class EmbeddedEngine {
  readonly kind: EngineKind;
  readonly bin: string;
  readonly dataDir: string;
  port = 0;
  /** FerretDB's debug HTTP port (metrics and Go's pprof); 0 for mongod. */
  debugPort = 0;
  private child?: ChildProcess;
  /** Set by stop(): an exit we asked for is not restarted. */
  private stopping = false;
  private restarting?: Promise<void>;
  /** How many times the engine died and was started again (for logs and tests). */
  restarts = 0;
  private readonly log?: Logger;
  private readonly dbName: string;

  constructor(private readonly opts: EngineOptions) {
    const { kind, bin } = resolveEngine(opts);
    this.kind = kind;
    this.bin = bin;
    this.dataDir = opts.dataDir;
    this.log = opts.logger;
    this.dbName = opts.dbName ?? 'filiera';
  }

  /**
   * FerretDB on SQLite has one writer at a time, and a writer that finds the
   * database busy sleeps 1, 2, 5, 10… ms before trying again. Twenty
   * connections writing at once spend much of their time in those sleeps;
   * eight keep it busy without them (checkout throughput +13% here).
   */
  get uri(): string {
    const base = `mongodb://127.0.0.1:${this.port}/${this.dbName}`;
    return this.kind === 'ferretdb' ? `${base}?maxPoolSize=${FERRETDB_POOL_SIZE}` : base;
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  private async args(): Promise<string[]> {
    if (this.kind === 'mongod') {
      return ['--dbpath', this.dataDir, '--port', String(this.port), '--bind_ip', '127.0.0.1', '--quiet'];
    }
    // FerretDB's default debug address (127.0.0.1:8088) collides when two
    // instances run, e.g. tests beside a running shop: take a free one.
    const debugPort = (this.debugPort ||= await freePort());
    return [
      '--handler=sqlite',
      // WAL (FerretDB's default) with synchronous=NORMAL: a commit no longer waits for
      // an fsync, which about doubles write throughput here. The database stays
      // consistent after any crash; only a power loss can drop the last commits, an
      // acceptable trade for the local engine (production runs on MONGODB_URI).
      `--sqlite-url=file:${this.dataDir}/?_pragma=synchronous(normal)`,
      `--state-dir=${this.dataDir}`,
      `--listen-addr=127.0.0.1:${this.port}`,
      `--debug-addr=127.0.0.1:${debugPort}`,
      '--telemetry=disable',
      '--log-level=error',
    ];
  }

  /** The engine's process id while it runs (the fault tests signal it). */
  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.stopping = false;
    mkdirSync(this.dataDir, { recursive: true });
    if (!this.port) this.port = await freePort();
    // FerretDB (Go) spent about a fifth of its CPU collecting garbage under checkout load: with
    // GOGC=400 its heap may grow to five times the live data (tens of MB) and the collector runs
    // a quarter as often. A GOGC set by the user wins.
    const env = { ...process.env, GOGC: process.env.GOGC ?? '400' };
    const child = spawn(this.bin, await this.args(), { stdio: ['ignore', 'pipe', 'pipe'], env });
    this.child = child;
    // Never outlive the process that started it (a crash, process.exit): an orphaned engine keeps its port and data files.
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);
    child.once('exit', () => process.removeListener('exit', killOnExit));
    const tail: string[] = [];
    const keep = (buf: Buffer) => {
      for (const line of buf.toString().split('\n').filter(Boolean)) {
        tail.push(line);
        if (tail.length > 20) tail.shift();
        this.log?.debug({ engine: this.kind }, line);
      }
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', (code, signal) => reject(new Error(`${this.kind} exited during start (${code ?? signal}):\n${tail.join('\n')}`))),
    );
    exited.catch(() => undefined);
    await Promise.race([waitForPort(this.port, 30_000), exited]);
    child.once('exit', (code, signal) => {
      if (!this.stopping && this.child === child) this.restartAfterDeath(code ?? signal ?? 'unknown');
    });
  }

  /**
   * The engine died under us (killed, out of memory, a crash). It is ours,
   * with its data directory and port, so it is started again on both, with
   * growing pauses; the driver reconnects to the same address by itself and
   * pages answer 503 in between. Data is safe: SQLite recovers its journal
   * on open. If it cannot be started for `giveUpAfterMs`, `onGiveUp` is
   * called (the server exits non-zero, so whatever supervises it restarts
   * the whole shop).
   */
  private restartAfterDeath(why: number | string): void {
    if (this.restarting) return;
    this.log?.error({ engine: this.kind, exit: why }, `database engine exited (${why}); starting it again`);
    const giveUpAt = Date.now() + (this.opts.giveUpAfterMs ?? 60_000);
    this.restarting = (async () => {
      for (let attempt = 0; !this.stopping; attempt++) {
        await new Promise((r) => setTimeout(r, RESTART_DELAYS_MS[Math.min(attempt, RESTART_DELAYS_MS.length - 1)]));
        if (this.stopping) return;
        try {
          await this.start();
          this.restarts++;
          this.log?.warn({ engine: this.kind, attempt: attempt + 1 }, 'database engine started again');
          return;
        } catch (err) {
          this.log?.error({ err, engine: this.kind }, 'database engine could not start again');
          if (Date.now() >= giveUpAt) {
            this.opts.onGiveUp?.(err as Error);
            return;
          }
        }
      }
    })().finally(() => {
      this.restarting = undefined;
    });
  }

  /** Resolves when a restart after the engine's death (if one is under way) has finished. */
  async recovered(): Promise<void> {
    await this.restarting;
  }

  /** Stops the engine and waits for it to exit (SIGKILL after 10 s). */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.restarting;
    const child = this.child;
    if (!child || !this.running) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }
}
