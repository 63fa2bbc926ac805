import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ConfigError, loadConfig, ROOT_DIR } from '../../src/platform/config';

describe('config', () => {
  describe('with no settings', () => {
    it('uses the embedded defaults', () => {
      const c = loadConfig({});
      assert.equal(c.port, 3000);
      assert.equal(c.db.uri, undefined);
      assert.equal(c.db.dataDir, join(ROOT_DIR, 'data'));
      assert.equal(c.stripe.secretKey, undefined);
      assert.equal(c.seedDemo, true);
    });

    it('treats blank values as not set', () => {
      assert.equal(loadConfig({ MONGODB_URI: '  ', PORT: '' }).port, 3000);
    });
  });

  describe('with bad values', () => {
    it('names every bad or missing variable', () => {
      assert.throws(
        () => loadConfig({ PORT: 'abc', MONGODB_URI: 'postgres://x', STRIPE_SECRET_KEY: 'pk_test_1' }),
        (e: unknown) => {
          assert.ok(e instanceof ConfigError);
          const text = e.problems.join('\n');
          assert.match(text, /^PORT /m);
          assert.match(text, /^MONGODB_URI /m);
          assert.match(text, /^STRIPE_SECRET_KEY /m);
          return true;
        },
      );
    });

    it('requires the production secrets in production', () => {
      assert.throws(
        () => loadConfig({ NODE_ENV: 'production' }),
        (e: unknown) => {
          assert.ok(e instanceof ConfigError);
          for (const key of ['SESSION_SECRET', 'MONGODB_URI', 'PUBLIC_URL'])
            assert.ok(
              e.problems.some((p) => p.startsWith(key)),
              key,
            );
          return true;
        },
      );
    });
  });

  describe('the server started with a bad setting', () => {
    it('exits 1 with a message naming the variable', function () {
      this.timeout(30_000);
      const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
        cwd: ROOT_DIR,
        env: { PATH: process.env.PATH, PORT: 'not-a-port', SESSION_IDLE_MINUTES: '1' },
        encoding: 'utf8',
        timeout: 25_000,
      });
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stderr, /Invalid configuration/);
      assert.match(r.stderr, /PORT/);
      assert.match(r.stderr, /SESSION_IDLE_MINUTES/);
    });
  });
});
