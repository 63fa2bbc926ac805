import assert from 'node:assert/strict';
import type { Express } from 'express';
import request from 'supertest';
import { buildApp } from '../support/app';

describe('compressed pages', () => {
  let app: Express;
  before(() => {
    app = buildApp().app;
  });

  // The same page apart from what differs on every answer.
  const page = (html: string) => html.replace(/name="_csrf" value="[^"]+"/g, '');

  it('sends a rendered page as brotli or gzip, whichever the browser takes, and plain to one that takes neither', async () => {
    const plain = await request(app).get('/login').set('Accept-Encoding', 'identity').expect(200);
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.match(String(plain.headers.vary), /Accept-Encoding/);
    assert.match(plain.headers['content-type']!, /^text\/html; charset=utf-8/);
    for (const [accepts, coding] of [
      ['gzip, deflate, br, zstd', 'br'],
      ['gzip, deflate', 'gzip'],
    ]) {
      // supertest inflates both, checking the stream; the length sent is the compressed one.
      const res = await request(app).get('/login').set('Accept-Encoding', accepts!).expect(200);
      assert.equal(res.headers['content-encoding'], coding);
      assert.ok(Number(res.headers['content-length']) < Buffer.byteLength(res.text) / 2, `${coding} is smaller`);
      assert.equal(page(res.text), page(plain.text));
    }
  });

  it('answers HEAD with the plain length and no body', async () => {
    const res = await request(app).head('/login').set('Accept-Encoding', 'br').expect(200);
    assert.equal(res.headers['content-encoding'], undefined);
    assert.ok(Number(res.headers['content-length']) > 1024);
  });
});
