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
//
// One line of FerretDB is changed before the build (FERRETDB_PATCHES below):
// its SQLite backend looks documents up by `_id` with the expression
// `_ferretdb_sjson->'$._id'`, while the unique index on `_id` is built on
// `_ferretdb_sjson->"_id"`. SQLite only uses an expression index for the same
// expression, so every find, update and delete by `_id` read the whole
// table (EXPLAIN QUERY PLAN: SCAN instead of SEARCH … USING INDEX). Both
// expressions select the same value, so the patch changes no result, only
// the plan. Each built engine records what it was built from in a stamp
// file; a binary without the current stamp is built again.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, '.engines', 'bin');
const FERRETDB_VERSION = 'v1.24.2';
const STRIPE_MOCK_VERSION = 'v0.203.0';

/** Exact source replacements applied to FerretDB before building; the build stops if one no longer matches. */
const FERRETDB_PATCHES = [
  {
    file: 'internal/backends/sqlite/metadata/metadata.go',
    from: `IDColumn = DefaultColumn + "->'$._id'"`,
    to: `IDColumn = DefaultColumn + "->'_id'"`,
    why: 'look up _id through the unique index (same value, indexed expression)',
  },
];
const FERRETDB_BUILD = `${FERRETDB_VERSION}+id-index`;

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
    for (const p of FERRETDB_PATCHES) {
      const file = join(work, p.file);
      const source = readFileSync(file, 'utf8');
      if (!source.includes(p.from)) throw new Error(`FerretDB patch no longer applies to ${p.file} (${p.why})`);
      writeFileSync(file, source.replace(p.from, p.to));
    }
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
  { name: 'FerretDB', version: FERRETDB_BUILD, file: 'ferretdb', build: () => buildFerretDb(join(BIN, 'ferretdb')) },
  { name: 'stripe-mock', version: STRIPE_MOCK_VERSION, file: 'stripe-mock', build: buildStripeMock },
];

/** Where a built engine records the version (and patches) it was built from. */
const stampOf = (e) => join(BIN, `${e.file}.build`);
const isCurrent = (e) => existsSync(join(BIN, e.file)) && existsSync(stampOf(e)) && readFileSync(stampOf(e), 'utf8').trim() === e.version;

function main() {
  if (process.env.FILIERA_SKIP_ENGINES === '1') {
    log('FILIERA_SKIP_ENGINES=1: not building the local engines.');
    return;
  }
  const missing = engines.filter((e) => !isCurrent(e));
  if (missing.length === 0) {
    log(`FerretDB ${FERRETDB_BUILD} and stripe-mock ${STRIPE_MOCK_VERSION} already built in .engines/bin.`);
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
      writeFileSync(stampOf(e), `${e.version}\n`);
      log(`${e.name} ${e.version} built in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
    } catch (err) {
      log(`could not build ${e.name}: ${err.message}`);
      log('The install goes on; run `npm run engines` again once the cause is fixed.');
      process.exitCode = 0;
    }
  }
}

main();
