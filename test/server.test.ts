import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect } from 'node:net';
import { join } from 'node:path';
import { ROOT_DIR } from '../src/platform/config';
import { freePort } from '../src/platform/ports';

/** Process ids of engines whose data lives in `dir`. */
function enginesUsing(dir: string): string[] {
  const r = spawnSync('pgrep', ['-f', dir], { encoding: 'utf8' });
  return r.stdout.split('\n').filter(Boolean);
}

describe('npm start (the real server on the embedded engine)', () => {
  it('starts the engine, seeds the demo shop, serves it, and stops everything on SIGTERM', async function () {
    this.timeout(90_000);
    const dataDir = mkdtempSync(join(tmpdir(), 'filiera-boot-'));
    const port = await freePort();
    // Exactly what the README has a newcomer type: the build, then the compiled server, which receives the
    // signals itself (the start script `exec`s it), so npm's exit code is the server's.
    const child = spawn('npm', ['start', '--silent'], {
      cwd: ROOT_DIR,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    child.stdout.on('data', (b: Buffer) => (log += b.toString()));
    child.stderr.on('data', (b: Buffer) => (log += b.toString()));
    try {
      const started = Date.now();
      while (!/Filiera is open/.test(log)) {
        if (child.exitCode !== null) throw new Error(`server exited: ${log}`);
        if (Date.now() - started > 60_000) throw new Error(`server did not start: ${log}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.match(log, /database engine: (ferretdb|mongod) on 127\.0\.0\.1:\d+, data in /);
      // Development's log is for a person, terminal or not: lines, not JSON, and a summary of what to open.
      assert.doesNotMatch(log, /^\{"level"/m);
      assert.match(log, new RegExp(`Filiera is open at http://localhost:${port}\\n`));
      assert.match(log, new RegExp(`also at http://127\\.0\\.0\\.1:${port}; from a phone on your network: HOST=0\\.0\\.0\\.0 npm start`));
      assert.match(log, new RegExp(`Mail goes to the dev mailbox: http://localhost:${port}/dev/mailbox`));
      assert.match(log, /admin +admin@filiera\.test \/ filiera-admin-2026/);
      assert.match(log, /Stop with Ctrl-C\./);

      const home = await fetch(`http://127.0.0.1:${port}/`);
      assert.equal(home.status, 200);
      assert.match(await home.text(), /href="\/products\/[a-z0-9-]+"/);
      const coops = await (await fetch(`http://127.0.0.1:${port}/coops`)).text();
      assert.match(coops, /Terre di Puglia/);
      assert.match(coops, /Telai di Sardegna/);
      assert.ok(enginesUsing(dataDir).length > 0, 'the engine runs');

      // A request in flight when SIGTERM arrives: its headers are in and its body is
      // still coming. It must be answered in full before the process exits.
      const socket = connect(port, '127.0.0.1');
      await new Promise((r) => socket.once('connect', r));
      let response = '';
      socket.on('data', (b: Buffer) => (response += b.toString()));
      socket.write('GET /coops HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{');
      await new Promise((r) => setTimeout(r, 300));
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      child.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(child.exitCode, null, 'still running while a request is in flight');
      socket.write('}');
      const code = await exited;
      assert.match(response, /^HTTP\/1\.1 200 /);
      assert.match(response, /\r\nConnection: close\r\n/i, 'a keep-alive client is told to leave');
      assert.match(response, /Terre di Puglia/);
      assert.equal(code, 0, log);
      // The jobs, the catalogue poll and the database close in order: nothing fails on the way out.
      const shutdownLog = log.slice(log.indexOf('shutting down'));
      assert.doesNotMatch(shutdownLog, /\b(ERROR|FATAL)\b/, shutdownLog);
    } finally {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
    }
    assert.deepEqual(enginesUsing(dataDir), [], 'no engine process left behind');
    rmSync(dataDir, { recursive: true, force: true });
  });
});
