#!/usr/bin/env node
// Stops the database engine a crashed `npm start` left running for THIS checkout: the processes whose
// command line names this checkout's data directory (DATA_DIR, default ./data, as the app resolves it).
// Engines of other checkouts, tests and benchmarks use other directories and are left alone.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
if (existsSync(resolve(root, '.env'))) process.loadEnvFile(resolve(root, '.env'));
const dataDir = resolve(root, process.env.DATA_DIR?.trim() || 'data');

// How engine.ts starts them: FerretDB with --state-dir=<dir>, mongod with --dbpath <dir>. Whole arguments
// are compared, so ./data does not match ./data2.
const ours = (args) => args.some((a, i) => a === `--state-dir=${dataDir}` || (a === '--dbpath' && args[i + 1] === dataDir));
const ps = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
const pids = ps
  .split('\n')
  .map((line) => /^\s*(\d+)\s+(.*)$/.exec(line))
  .filter((m) => m && ours(m[2].split(/\s+/)))
  .map((m) => Number(m[1]))
  .filter((pid) => pid !== process.pid);

if (!pids.length) {
  console.log(`No engine is running on ${dataDir}.`);
} else {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGTERM');
      console.log(`Stopped the engine (pid ${pid}) on ${dataDir}.`);
    } catch (err) {
      console.error(`Could not stop pid ${pid}: ${err.message}`);
      process.exitCode = 1;
    }
  }
}
