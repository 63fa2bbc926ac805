import type { Express } from 'express';
import assert from 'node:assert/strict';
import request from 'supertest';
import { buildApp } from '../support/app';

describe('error pages', () => {
  let app: Express;
  before(() => {
    app = buildApp().app;
  });

  describe('GET a path that does not exist', () => {
    it('responds 404 with the site layout and a way back', async () => {
      const res = await request(app).get('/no/such/page').set('Accept', 'text/html').expect(404);
      assert.match(String(res.headers['content-type']), /html/);
      assert.match(res.text, /<h1>Pagina non trovata<\/h1>/);
      assert.match(res.text, /class="site-header"/);
      assert.match(res.text, /href="\/"/);
    });

    it('answers JSON clients with a stable error code', async () => {
      const res = await request(app).get('/no/such/page').set('Accept', 'application/json').expect(404);
      assert.equal(res.body.error.code, 'page_not_found');
    });

    it('ignores a malformed language cookie instead of failing', async () => {
      const res = await request(app).get('/no/such/page').set('Cookie', 'lang=%E0%A4%A').expect(404);
      assert.match(res.text, /<h1>Pagina non trovata<\/h1>/);
    });

    it('shows the page in English when the language cookie says so', async () => {
      const res = await request(app).get('/no/such/page').set('Cookie', 'lang=en').expect(404);
      assert.match(res.text, /<h1>Page not found<\/h1>/);
      assert.match(res.text, /<html lang="en">/);
    });
  });

  describe('POST with a malformed JSON body', () => {
    it('responds 400 without a stack trace', async () => {
      const res = await request(app).post('/anything').set('Content-Type', 'application/json').send('{"a":').expect(400);
      assert.doesNotMatch(res.text, /at .*\.(ts|js):\d+/);
    });
  });

  describe('POST with a body over the size limit', () => {
    it('responds 413', async () => {
      await request(app)
        .post('/anything')
        .set('Content-Type', 'application/json')
        .send(JSON.stringify({ a: 'x'.repeat(200_000) }))
        .expect(413);
    });
  });
});
