import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT_DIR } from '../../src/platform/config';
import { EmbeddedEngine } from '../../src/platform/engine';
import { freePort, waitForPort } from '../../src/platform/ports';

/** The engines one test run shares: started once by the root hooks. */
export interface TestEngines {
  db: EmbeddedEngine;
  dataDir: string;
  stripeMock: { port: number; process: ChildProcess; stop(): Promise<void>; start(): Promise<void> };
}

let engines: TestEngines | undefined;

export function testEngines(): TestEngines {
  if (!engines) throw new Error('test engines are not started (is test/support/hooks.ts in .mocharc.json?)');
  return engines;
}

async function startStripeMock(port: number): Promise<ChildProcess> {
  const bin = join(ROOT_DIR, '.engines', 'bin', 'stripe-mock');
  if (!existsSync(bin)) throw new Error(`stripe-mock is not built at ${bin}: run \`npm run engines\` (needs Go)`);
  const child = spawn(bin, ['-http-addr', `127.0.0.1:${port}`, '-https-addr', '127.0.0.1:'], { stdio: 'ignore' });
  // Without -https-addr it also binds HTTPS on the fixed :12112, so a second test run at the same time failed to start.
  await waitForPort(port, 20_000);
  return child;
}

export async function startTestEngines(): Promise<TestEngines> {
  const dataDir = mkdtempSync(join(tmpdir(), 'filiera-test-'));
  const db = new EmbeddedEngine({
    dataDir,
    enginesDir: join(ROOT_DIR, '.engines', 'bin'),
    mongodBin: process.env.MONGOD_BIN,
    dbName: 'filiera_test',
  });
  const port = await freePort();
  await db.start();
  const mock = {
    port,
    process: await startStripeMock(port),
    async stop() {
      if (mock.process.exitCode !== null || mock.process.signalCode !== null) return;
      await new Promise<void>((r) => {
        mock.process.once('exit', () => r());
        mock.process.kill('SIGTERM');
      });
    },
    async start() {
      mock.process = await startStripeMock(port);
    },
  };
  engines = { db, dataDir, stripeMock: mock };
  return engines;
}

export async function stopTestEngines(): Promise<void> {
  if (!engines) return;
  await engines.stripeMock.stop();
  await engines.db.stop();
  rmSync(engines.dataDir, { recursive: true, force: true });
  engines = undefined;
}
