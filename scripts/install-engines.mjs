#!/usr/bin/env node
// Builds the two local engines Filiera runs on a machine without MongoDB or
// Stripe: FerretDB (MongoDB wire protocol over SQLite) and stripe-mock.
// Runs as the project's own `postinstall`; it never fails the install.
//
// FerretDB is not built with a plain `go install …@v1.24.2`: its binary
// panics at start unless build/version/version.txt holds the version, a file
// that only its own release tooling writes. So we download the module at the
// pinned version through the Go module proxy, copy it, write that one file and
// `go build` it. stripe-mock needs nothing special and uses `go install`.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, chmodSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, '.engines', 'bin');
const FERRETDB_VERSION = 'v1.24.2';
const STRIPE_MOCK_VERSION = 'v0.203.0';

const log = (msg) => console.log(`[engines] ${msg}`);

function hasGo() {
  const r = spawnSync('go', ['version'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status ?? r.signal}`);
}

function output(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

function makeWritable(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    chmodSync(p, st.mode | 0o200);
    if (st.isDirectory()) makeWritable(p);
  }
}

function buildFerretDb(target) {
  const info = JSON.parse(output('go', ['mod', 'download', '-json', `github.com/FerretDB/FerretDB@${FERRETDB_VERSION}`]));
  const work = mkdtempSync(join(tmpdir(), 'filiera-ferretdb-'));
  try {
    cpSync(info.Dir, work, { recursive: true });
    chmodSync(work, 0o755);
    makeWritable(work);
    writeFileSync(join(work, 'build', 'version', 'version.txt'), `${FERRETDB_VERSION}\n`);
    run('go', ['build', '-trimpath', '-o', target, './cmd/ferretdb'], { cwd: work });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function buildStripeMock() {
  run('go', ['install', `github.com/stripe/stripe-mock@${STRIPE_MOCK_VERSION}`], {
    env: { ...process.env, GOBIN: BIN },
  });
}

const engines = [
  { name: 'FerretDB', version: FERRETDB_VERSION, file: 'ferretdb', build: () => buildFerretDb(join(BIN, 'ferretdb')) },
  { name: 'stripe-mock', version: STRIPE_MOCK_VERSION, file: 'stripe-mock', build: buildStripeMock },
];

function main() {
  if (process.env.FILIERA_SKIP_ENGINES === '1') {
    log('FILIERA_SKIP_ENGINES=1: not building the local engines.');
    return;
  }
  const missing = engines.filter((e) => !existsSync(join(BIN, e.file)));
  if (missing.length === 0) {
    log(`FerretDB ${FERRETDB_VERSION} and stripe-mock ${STRIPE_MOCK_VERSION} already built in .engines/bin.`);
    return;
  }
  const go = hasGo();
  if (!go) {
    log(`Go is not installed, so these were not built: ${missing.map((e) => e.name).join(', ')}.`);
    log('Filiera still installs. To run it, either install Go (https://go.dev/dl) and run `npm run engines`,');
    log('or install MongoDB (mongod on PATH or MONGOD_BIN), or set MONGODB_URI to a MongoDB you have.');
    log('Tests also need stripe-mock: install Go, or put a stripe-mock release binary in .engines/bin.');
    return;
  }
  mkdirSync(BIN, { recursive: true });
  for (const e of missing) {
    const started = Date.now();
    log(`building ${e.name} ${e.version} with ${go} into .engines/bin …`);
    try {
      e.build();
      log(`${e.name} ${e.version} built in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
    } catch (err) {
      log(`could not build ${e.name}: ${err.message}`);
      log('The install goes on; run `npm run engines` again once the cause is fixed.');
      process.exitCode = 0;
    }
  }
}

main();
