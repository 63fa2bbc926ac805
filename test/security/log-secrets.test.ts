import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import request from 'supertest';
import { createLogger } from '../../src/platform/logger';
import { redactUrl } from '../../src/platform/redact';
import { OrderModel } from '../../src/orders/order.model';
import { buildApp, csrfFrom, MemoryMailer } from '../support/app';
import { ADDRESS, TERMS } from '../orders/support';
import { memberOf } from '../workspace/workspace.fixtures';
import { makeCoop, makeListedProduct } from '../support/factories';

type Agent = ReturnType<typeof request.agent>;

const linkIn = (text: string, prefix: string): string => {
  const m = new RegExp(`https?://[^\\s/]+(${prefix.replace(/[/.]/g, '\\$&')}[^\\s<>"]*)`).exec(text);
  if (!m) throw new Error(`no ${prefix} link in: ${text}`);
  return m[1]!;
};
const lastSegment = (path: string) => path.split('?')[0]!.split('/').pop()!;

describe('attacks: secrets in the logs', () => {
  describe('redactUrl', () => {
    const cases: [string, RegExp][] = [
      ['/password/reset/Abc_def-1234567890abcdefABCDEF1234567', /\/password\/reset\/\[redacted\]$/],
      ['/verify/shorttoken', /\/verify\/\[redacted\]$/],
      ['/invitations/x', /\/invitations\/\[redacted\]$/],
      ['/orders/view/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', /\/orders\/view\/\[redacted\]$/],
      ['/some/new/route/Zq3_longRandomLookingToken1234567', /\/some\/new\/route\/\[redacted\]$/],
      ['/workspace/x/goods/import?_csrf=secret-token-value', /_csrf=\[redacted\]$/],
      ['/shop?X-CSRF-Token=abc&page=2', /X-CSRF-Token=\[redacted\]&page=2$/],
      ['/search?q=4242%204242%204242%204242', /q=%5Bcard%5D$/],
      ['/search?q=4242-4242-4242-4242+rosso', /q=%5Bcard%5D%20rosso$/],
      ['/search/4111111111111111', /\/search\/%5Bcard%5D$/],
    ];
    for (const [url, expected] of cases) {
      it(`redacts ${url}`, () => assert.match(redactUrl(url), expected));
    }
    it('keeps what is not secret: slugs, ObjectIds, page numbers, short numbers', () => {
      assert.equal(
        redactUrl('/products/olio-extravergine-di-oliva-biologico?page=2'),
        '/products/olio-extravergine-di-oliva-biologico?page=2',
      );
      assert.equal(redactUrl('/admin/orders/64b0000000000000000000aa'), '/admin/orders/64b0000000000000000000aa');
      assert.equal(redactUrl('/search?q=miele%201000'), '/search?q=miele%201000');
    });
  });

  it('keeps every token, password and card number of a full journey out of the log', async function () {
    this.timeout(60_000);
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const mailer = new MemoryMailer();
    const { app } = buildApp({ logger: createLogger('debug', false, sink), mailer });
    const secrets: string[] = [];
    /** The first mail to `to` after the first `since` sent, waited for: some go out after the answer (the same timing whether the account exists). */
    const mailTo = async (to: string, since: number) => {
      for (let i = 0; i < 250; i++) {
        const m = mailer.sent.slice(since).find((x) => x.to.includes(to));
        if (m) return m.text;
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.fail(`a mail to ${to}`);
    };
    const csrfOn = async (b: Agent, path: string) => csrfFrom((await b.get(path).expect(200)).text);

    // Sign-up and verification.
    const email = `journey-${Date.now()}@example.test`;
    const password = 'a-long-secret-password-1';
    secrets.push(password);
    const buyer = request.agent(app);
    const signupCsrf = await csrfOn(buyer, '/signup');
    let since = mailer.sent.length;
    await buyer
      .post('/signup')
      .type('form')
      .send({ _csrf: signupCsrf, name: 'Giulia Bianchi', email, password, acceptTerms: 'on' })
      .expect(200);
    const verify = linkIn(await mailTo(email, since), '/verify/');
    secrets.push(lastSegment(verify));
    await buyer.get(verify);

    // Forgotten password and reset.
    const stranger = request.agent(app);
    const forgotCsrf = await csrfOn(stranger, '/password/forgot');
    since = mailer.sent.length;
    await stranger.post('/password/forgot').type('form').send({ _csrf: forgotCsrf, email }).expect(200);
    const reset = linkIn(await mailTo(email, since), '/password/reset/');
    secrets.push(lastSegment(reset));
    const newPassword = 'another-long-secret-2';
    secrets.push(newPassword);
    const form = await stranger.get(reset).expect(200);
    await stranger
      .post(reset)
      .type('form')
      .send({ _csrf: csrfFrom(form.text), password: newPassword })
      .expect(303);
    await stranger.get(reset); // a second use is refused, and logged

    // An invitation to a co-op.
    const coop = await makeCoop();
    const owner = await memberOf(app, String(coop._id), 'owner');
    const invited = `invited-${Date.now()}@example.test`;
    const membersPage = `/workspace/${coop.slug}/members`;
    const inviteCsrf = await csrfOn(owner.agent as unknown as Agent, membersPage);
    since = mailer.sent.length;
    await owner.agent.post(`${membersPage}/invite`).type('form').send({ _csrf: inviteCsrf, email: invited, role: 'staff' }).expect(303);
    const invitation = linkIn(await mailTo(invited, since), '/invitations/');
    secrets.push(lastSegment(invitation));
    await request(app).get(invitation);

    // A guest order, its private link, and a card number typed into search.
    const product = await makeListedProduct(coop, { priceCents: 1500, stock: 5 });
    const guest = request.agent(app);
    const guestCsrf = await csrfOn(guest, '/login');
    secrets.push(guestCsrf);
    await guest
      .post('/cart/items')
      .type('form')
      .send({ _csrf: guestCsrf, productId: String(product._id), quantity: '1' })
      .expect(303);
    const checkoutCsrf = await csrfOn(guest, '/checkout');
    await guest
      .post('/checkout')
      .type('form')
      .send({ _csrf: checkoutCsrf, email: 'guest-journey@example.test', ...TERMS, ...ADDRESS })
      .expect(303);
    const review = await guest.get('/checkout/review').expect(200);
    const attempt = /name="attempt" value="([^"]+)"/.exec(review.text)![1]!;
    await guest
      .post('/checkout/place')
      .type('form')
      .send({ _csrf: csrfFrom(review.text), attempt })
      .expect(303);
    const order = await OrderModel.findOne({ 'buyer.email': 'guest-journey@example.test' }).lean();
    assert.ok(order?.viewToken);
    secrets.push(order.viewToken);
    await request(app).get(`/orders/view/${order.viewToken}`).expect(200);
    await guest.get(`/shop?_csrf=${encodeURIComponent(guestCsrf)}`);
    await guest.get(`/search?q=${encodeURIComponent('4242 4242 4242 4242')}`).expect(200);
    await guest.get('/search?q=5555-5555-5555-4444').expect(200);
    secrets.push('4242 4242 4242 4242', '4242%204242%204242%204242', '4242+4242+4242+4242', '5555-5555-5555-4444', '4242424242424242');

    await new Promise((r) => setTimeout(r, 50)); // let the last response's log line be written
    const log = lines.join('');
    assert.ok(log.includes('/orders/view/[redacted]'), 'the journey was logged');
    for (const secret of secrets) {
      assert.ok(!log.includes(secret), `the log holds ${secret}`);
      assert.ok(!log.includes(encodeURIComponent(secret)), `the log holds ${encodeURIComponent(secret)}`);
    }
  });
});
