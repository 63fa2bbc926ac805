import type { Express } from 'express';
import assert from 'node:assert/strict';
import request from 'supertest';
import { buildApp, csrfFrom, MemoryMailer } from '../support/app';
import { makeUser } from '../support/factories';
import { signedIn } from '../admin/helpers';
import { MembershipModel } from '../../src/coops/membership.model';
import { productRating } from '../../src/catalog';
import { ReviewModel } from '../../src/reviews/review.model';
import { ReviewSchema } from '../../src/reviews/reviews.schemas';
import type { AppServices } from '../../src/app';
import { coopWithProduct, orderOf } from './support';

const LONG_WORD = 'x'.repeat(300);

describe('reviews pages', () => {
  let app: Express;
  let services: AppServices;
  let mailer: MemoryMailer;
  before(() => {
    mailer = new MemoryMailer();
    ({ app, services } = buildApp({ mailer }));
  });

  const review = (stars: number, body = '', title = '') => ReviewSchema.parse({ stars: String(stars), body, title });

  describe('GET and POST /reviews/link/:token', () => {
    it('shows the order’s products and publishes a review from the form', async () => {
      const { coop, product } = await coopWithProduct();
      const { token, order } = await orderOf([{ product, coop }]);
      const b = request.agent(app);
      const page = await b.get(`/reviews/link/${token}`).expect(200);
      assert.match(page.text, new RegExp(order.number));
      assert.match(page.text, /name="stars"/);
      await b
        .post(`/reviews/link/${token}/${product.id}`)
        .type('form')
        .send({ _csrf: csrfFrom(page.text), stars: '4', title: 'Buono', body: 'Davvero' })
        .expect(303)
        .expect('Location', `/reviews/link/${token}#review-${product.id}`);
      const after = await b.get(`/reviews/link/${token}`).expect(200);
      assert.match(after.text, /Davvero/);
      assert.deepEqual(await productRating(product.id), { count: 1, sum: 4, stars: [0, 0, 0, 1, 0] });
    });

    it('keeps what was typed and says what is wrong when the stars are missing', async () => {
      const { coop, product } = await coopWithProduct();
      const { token } = await orderOf([{ product, coop }]);
      const b = request.agent(app);
      const page = await b.get(`/reviews/link/${token}`).expect(200);
      const res = await b
        .post(`/reviews/link/${token}/${product.id}`)
        .type('form')
        .send({ _csrf: csrfFrom(page.text), title: 'Il mio titolo', body: 'Il mio testo' })
        .expect(422);
      assert.match(res.text, /value="Il mio titolo"/);
      assert.match(res.text, />Il mio testo<\/textarea>/);
      assert.match(res.text, /Scegli da 1 a 5 stelle/);
    });

    it('takes a replayed form once', async () => {
      const { coop, product } = await coopWithProduct();
      const { token } = await orderOf([{ product, coop }]);
      const b = request.agent(app);
      const page = await b.get(`/reviews/link/${token}`).expect(200);
      const form = { _csrf: csrfFrom(page.text), stars: '5', body: 'Una volta' };
      await b.post(`/reviews/link/${token}/${product.id}`).type('form').send(form).expect(303);
      await b
        .post(`/reviews/link/${token}/${product.id}`)
        .type('form')
        .send({ ...form, stars: '1' })
        .expect(303);
      assert.equal(await ReviewModel.countDocuments({ product: product._id }), 1);
      assert.deepEqual(await productRating(product.id), { count: 1, sum: 5, stars: [0, 0, 0, 0, 1] });
    });

    it("refuses another buyer's product through this link, and an unknown link", async () => {
      const { coop, product } = await coopWithProduct();
      const mine = await orderOf([{ product, coop }]);
      const theirs = await coopWithProduct();
      await orderOf([theirs]);
      const b = request.agent(app);
      const page = await b.get(`/reviews/link/${mine.token}`).expect(200);
      await b
        .post(`/reviews/link/${mine.token}/${theirs.product.id}`)
        .type('form')
        .send({ _csrf: csrfFrom(page.text), stars: '1' })
        .expect(404);
      await b.get(`/reviews/link/${'A'.repeat(43)}`).expect(404);
      await b.get('/reviews/link/short').expect(404);
      assert.equal(await ReviewModel.countDocuments({ product: theirs.product._id }), 0);
    });

    it('refuses goods not delivered yet', async () => {
      const { coop, product } = await coopWithProduct();
      const { token } = await orderOf([{ product, coop }], { status: 'shipped' });
      const b = request.agent(app);
      const page = await b.get(`/reviews/link/${token}`).expect(200);
      assert.doesNotMatch(page.text, /name="stars"/);
      const login = await b.get('/login').expect(200);
      await b
        .post(`/reviews/link/${token}/${product.id}`)
        .type('form')
        .send({ _csrf: csrfFrom(login.text), stars: '5' })
        .expect(403);
    });
  });

  describe('the order page', () => {
    it('links to the review page once a share reached the buyer, through the link they came by', async () => {
      const { coop, product } = await coopWithProduct();
      const { token } = await orderOf([{ product, coop }]);
      const page = await request(app).get(`/orders/view/${token}`).expect(200);
      assert.ok(page.text.includes(`href="/reviews/link/${token}"`));
      const waiting = await orderOf([{ product, coop }], { status: 'shipped' });
      assert.doesNotMatch((await request(app).get(`/orders/view/${waiting.token}`).expect(200)).text, /\/reviews\/link\//);
    });
  });

  describe('/reviews/order/:orderId', () => {
    it("is the signed-in owner's, and a 404 for anyone else's id", async () => {
      const { coop, product } = await coopWithProduct();
      const owner = await makeUser();
      const other = await makeUser();
      const { order } = await orderOf([{ product, coop }], { user: owner.id });
      await request(app)
        .get(`/reviews/order/${String(order._id)}`)
        .expect(303);
      const mine = await signedIn(app, owner.id);
      const page = await mine.get(`/reviews/order/${String(order._id)}`).expect(200);
      const theirs = await signedIn(app, other.id);
      await theirs.get(`/reviews/order/${String(order._id)}`).expect(404);
      const otherPage = await theirs.get('/account').expect(200);
      await theirs
        .post(`/reviews/order/${String(order._id)}/${product.id}`)
        .type('form')
        .send({ _csrf: csrfFrom(otherPage.text), stars: '1' })
        .expect(404);
      await mine
        .post(`/reviews/order/${String(order._id)}/${product.id}`)
        .type('form')
        .send({ _csrf: csrfFrom(page.text), stars: '5', anonymous: 'yes' })
        .expect(303);
      const r = await ReviewModel.findOne({ product: product._id }).lean();
      assert.equal(r!.anonymous, true);
      assert.equal(String(r!.author.user), owner.id);
    });
  });

  describe('the product page', () => {
    it('shows a new review on the next page (kept pages included), with its summary and JSON-LD', async () => {
      const { coop, product } = await coopWithProduct();
      const { token } = await orderOf([{ product, coop }], { name: 'Luca Bianchi' });
      const url = `/products/${product.slug}`;
      const guest = request(app);
      const before = await guest.get(url).expect(200);
      assert.match(before.text, /Ancora nessuna recensione/);
      await guest.get(url).expect(200); // now kept
      await services.reviews.write({ token }, product.id, review(4, 'Ottimo </script><script>alert(1)</script>', '<b>Titolo</b>'));
      const after = await guest.get(url).expect(200);
      assert.match(after.text, /Luca B\./);
      assert.match(after.text, /Acquisto verificato/);
      assert.match(after.text, /&lt;b&gt;Titolo&lt;\/b&gt;/);
      assert.doesNotMatch(after.text, /<script>alert/);
      assert.match(after.text, /1 recensione/);
      const ld = [...after.text.matchAll(/<script type="application\/ld\+json">([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
      assert.equal(ld.length, 1);
      assert.doesNotMatch(ld[0]!, /</);
      const data = JSON.parse(ld[0]!) as {
        aggregateRating: Record<string, unknown>;
        review: { reviewBody: string; author: { name: string } }[];
      };
      assert.deepEqual(data.aggregateRating, { '@type': 'AggregateRating', ratingValue: 4, reviewCount: 1, bestRating: 5, worstRating: 1 });
      assert.equal(data.review[0]!.reviewBody, 'Ottimo </script><script>alert(1)</script>');
      assert.equal(data.review[0]!.author.name, 'Luca B.');
      // Signed-in visitors' kept bodies move with it too.
      const user = await makeUser();
      const member = await signedIn(app, user.id);
      await member.get(url).expect(200);
      const { token: t2 } = await orderOf([{ product, coop }], { name: 'Sara Verdi' });
      await services.reviews.write({ token: t2 }, product.id, review(2));
      assert.match((await member.get(url).expect(200)).text, /Sara V\./);
      // The listing shows the stars and the count; the co-op page its overall rating.
      const coopPage = await guest.get(`/coops/${coop.slug}`).expect(200);
      assert.match(coopPage.text, /3 su 5 da 2 recensioni/);
    });

    it('pages and sorts the reviews', async () => {
      const { coop, product } = await coopWithProduct();
      for (let i = 0; i < 12; i++) {
        const { token } = await orderOf([{ product, coop }], { name: `Persona${i} Test` });
        await services.reviews.write({ token }, product.id, review((i % 5) + 1));
      }
      const url = `/products/${product.slug}`;
      const first = await request(app).get(url).expect(200);
      assert.equal((first.text.match(/class="review card"/g) ?? []).length, 10);
      assert.match(first.text, /rpage=2/);
      const second = await request(app).get(`${url}?rpage=2`).expect(200);
      assert.equal((second.text.match(/class="review card"/g) ?? []).length, 2);
      const lowest = await request(app).get(`${url}?rsort=lowest`).expect(200);
      const names = [...lowest.text.matchAll(/class="review-author">([^<]+)</g)].map((m) => m[1]);
      assert.ok(['Persona0 T.', 'Persona5 T.', 'Persona10 T.'].includes(names[0]!), names.join());
      assert.match((await request(app).get(`${url}?rsort=bogus&rpage=x`).expect(200)).text, /class="review card"/);
    });

    it('never scrolls sideways for a 300-character word: it is printed in a class that wraps anywhere', async () => {
      const { coop, product } = await coopWithProduct();
      const { token } = await orderOf([{ product, coop }]);
      await services.reviews.write({ token }, product.id, review(5, LONG_WORD));
      const page = await request(app).get(`/products/${product.slug}`).expect(200);
      assert.match(page.text, new RegExp(`<p class="review-body">${LONG_WORD}</p>`));
      const css = await request(app).get('/static/css/site.css').expect(200);
      assert.match(css.text, /\.review-title, \.review-body, \.review-author \{ overflow-wrap: anywhere; \}/);
    });

    it('fills the kept section’s vote forms with each visitor’s own token, whichever cache served the page', async () => {
      const { coop, product } = await coopWithProduct();
      const { token } = await orderOf([{ product, coop }]);
      const r = await services.reviews.write({ token }, product.id, review(4, 'Buono'));
      const url = `/products/${product.slug}`;
      const vote = async (agent: ReturnType<typeof request.agent>, path: string) => {
        const page = await agent.get(path).expect(200);
        const form = new RegExp(`action="/reviews/${r._id}/helpful">\\s*<input type="hidden" name="_csrf" value="([^"]+)"`).exec(page.text);
        assert.ok(form, 'the vote form is on the page');
        assert.doesNotMatch(page.text, /csrfslot/);
        await agent.post(`/reviews/${r._id}/helpful`).type('form').send({ _csrf: form[1], slug: product.slug }).expect(303);
        return form[1]!;
      };
      // A guest's kept page, another guest's, a signed-in body, and a page no cache keeps (its address is too long).
      const tokens = [
        await vote(request.agent(app), url),
        await vote(request.agent(app), url),
        await vote(await signedIn(app, (await makeUser()).id), url),
        await vote(request.agent(app), `${url}?x=${'a'.repeat(600)}`),
      ];
      assert.equal(new Set(tokens).size, 4);
      assert.equal((await ReviewModel.findById(r._id).lean())!.helpful, 4);
    });

    it('lists by rating', async () => {
      const a = await coopWithProduct();
      const { token } = await orderOf([a]);
      await services.reviews.write({ token }, a.product.id, review(5));
      const res = await request(app).get(`/shop?sort=rating&coop=${a.coop.slug}`).expect(200);
      assert.match(res.text, /5 stelle su 5/);
      assert.match(res.text, /\(1\)/);
    });
  });

  describe('helpful votes and reports', () => {
    it('counts one helpful vote per visitor, and takes a report with a reason', async () => {
      const { coop, product } = await coopWithProduct();
      const { token } = await orderOf([{ product, coop }]);
      const r = await services.reviews.write({ token }, product.id, review(3));
      const b = request.agent(app);
      const page = await b.get(`/reviews/${r._id}/report?slug=${product.slug}`).expect(200);
      const csrf = csrfFrom(page.text);
      await b
        .post(`/reviews/${r._id}/helpful`)
        .type('form')
        .send({ _csrf: csrf, slug: product.slug })
        .expect(303)
        .expect('Location', `/products/${product.slug}#review-${r._id}`);
      await b.post(`/reviews/${r._id}/helpful`).type('form').send({ _csrf: csrf, slug: product.slug }).expect(303);
      assert.equal((await ReviewModel.findById(r._id).lean())!.helpful, 1);
      const bad = await b.post(`/reviews/${r._id}/report`).type('form').send({ _csrf: csrf, note: 'spiegazione' }).expect(422);
      assert.match(bad.text, />spiegazione<\/textarea>/);
      await b.post(`/reviews/${r._id}/report`).type('form').send({ _csrf: csrf, reason: 'spam', note: '' }).expect(303);
      assert.equal((await ReviewModel.findById(r._id).lean())!.openReports, 1);
      await b.post('/reviews/not-a-review/helpful').type('form').send({ _csrf: csrf }).expect(404);
    });
  });

  describe('many buyers at once', () => {
    it('keeps the stored ratings equal to a recount after parallel writes, edits, deletes and hides over HTTP', async () => {
      const { coop, product } = await coopWithProduct();
      const admin = await makeUser({ isAdmin: true });
      const buyers = await Promise.all(
        Array.from({ length: 10 }, async (_, i) => {
          const { token } = await orderOf([{ product, coop }]);
          // Each buyer a client of their own, as ten people would be (the write limit counts per client).
          const b = request.agent(app).set('X-Forwarded-For', `203.0.113.${i + 1 + Math.floor(Math.random() * 20) * 10}`);
          const page = await b.get(`/reviews/link/${token}`).expect(200);
          return { token, b, csrf: csrfFrom(page.text), url: `/reviews/link/${token}/${product.id}` };
        }),
      );
      const send = (x: (typeof buyers)[number], path: string, form: Record<string, string>) =>
        x.b
          .post(path)
          .type('form')
          .send({ _csrf: x.csrf, ...form });
      await Promise.all(buyers.map((x, i) => send(x, x.url, { stars: String((i % 5) + 1) }).expect(303)));
      const a = await signedIn(app, admin.id);
      const adminCsrf = csrfFrom((await a.get('/admin/reviews').expect(200)).text);
      const ids = (await ReviewModel.find({ product: product._id }, { _id: 1 }).lean()).map((r) => r._id).sort();
      await Promise.all([
        ...buyers.slice(0, 4).map((x, i) => send(x, `${x.url}/edit`, { stars: String(5 - i) })),
        ...buyers.slice(0, 4).map((x) => send(x, `${x.url}/edit`, { stars: '1' })),
        ...buyers.slice(4, 6).map((x) => send(x, `${x.url}/delete`, {})),
        ...buyers.slice(6, 8).map((x) => send(x, x.url, { stars: '5' })), // a replay: refused, nothing counted
        ...ids.slice(0, 3).map((id) => a.post(`/admin/reviews/${id}/hide`).type('form').send({ _csrf: adminCsrf, reason: 'prova' })),
      ]);
      const shown = await ReviewModel.find({ product: product._id, status: 'published' }, { stars: 1 }).lean();
      const stars = [0, 0, 0, 0, 0];
      for (const r of shown) stars[r.stars - 1]!++;
      assert.deepEqual(await productRating(product.id), { count: shown.length, sum: shown.reduce((n, r) => n + r.stars, 0), stars });
      assert.equal(await ReviewModel.countDocuments({ product: product._id }), 10);
    });
  });

  describe('rate limits', () => {
    it('stops a client after ten reports an hour', async () => {
      const { coop, product } = await coopWithProduct();
      const { token } = await orderOf([{ product, coop }]);
      const r = await services.reviews.write({ token }, product.id, review(3));
      // A client of its own (the app trusts the loopback proxy), so no other test shares its counts.
      const b = request.agent(app).set('X-Forwarded-For', `198.51.100.${Math.floor(Math.random() * 250) + 1}`);
      const csrf = csrfFrom((await b.get(`/reviews/${r._id}/report`).expect(200)).text);
      for (let i = 0; i < 10; i++) await b.post(`/reviews/${r._id}/report`).type('form').send({ _csrf: csrf, reason: 'spam' }).expect(303);
      await b.post(`/reviews/${r._id}/report`).type('form').send({ _csrf: csrf, reason: 'spam' }).expect(429);
      assert.equal((await ReviewModel.findById(r._id).lean())!.openReports, 10);
    });
  });

  describe('the co-op workspace', () => {
    it('lists the reviews with a count, lets a manager reply (and edit it), and not staff', async () => {
      const { coop, product } = await coopWithProduct();
      const { token } = await orderOf([{ product, coop }]);
      const r = await services.reviews.write({ token }, product.id, review(2, 'Arrivato tardi'));
      const manager = await makeUser();
      const staff = await makeUser();
      await MembershipModel.create({ user: manager.id, coop: coop.id, role: 'manager' });
      await MembershipModel.create({ user: staff.id, coop: coop.id, role: 'staff' });
      const m = await signedIn(app, manager.id);
      const home = await m.get(`/workspace/${coop.slug}`).expect(200);
      assert.match(home.text, /1 nuova recensione a cui rispondere/);
      const page = await m.get(`/workspace/${coop.slug}/reviews`).expect(200);
      assert.match(page.text, /Arrivato tardi/);
      // Seen before the reply: the product page (and its kept reviews section) must not keep showing it without.
      assert.match((await request(app).get(`/products/${product.slug}`).expect(200)).text, /Arrivato tardi/);
      await m
        .post(`/workspace/${coop.slug}/reviews/${r._id}/reply`)
        .type('form')
        .send({ _csrf: csrfFrom(page.text), text: 'Ci scusiamo per il ritardo' })
        .expect(303);
      const product$ = await request(app).get(`/products/${product.slug}`).expect(200);
      assert.match(product$.text, /Ci scusiamo per il ritardo/);
      const s = await signedIn(app, staff.id);
      const staffPage = await s.get(`/workspace/${coop.slug}/reviews`).expect(200);
      assert.doesNotMatch(staffPage.text, /name="text"/);
      await s
        .post(`/workspace/${coop.slug}/reviews/${r._id}/reply`)
        .type('form')
        .send({ _csrf: csrfFrom(staffPage.text), text: 'Non posso' })
        .expect(403);
      assert.equal((await ReviewModel.findById(r._id).lean())!.reply!.text, 'Ci scusiamo per il ritardo');
      // The co-op had a mail about the new review.
      assert.ok(mailer.sent.some((x) => x.to === coop.contact!.email && /Arrivato tardi/.test(x.text)));
    });
  });

  describe('admin moderation', () => {
    it('lists reported reviews and hides one with a reason', async () => {
      const { coop, product } = await coopWithProduct();
      const { token } = await orderOf([{ product, coop }]);
      const r = await services.reviews.write({ token }, product.id, review(1, 'Recensione segnalata'));
      await services.reviews.report(r._id, { reason: 'offensive', note: 'parolacce' }, null);
      const admin = await makeUser({ isAdmin: true });
      const a = await signedIn(app, admin.id);
      const page = await a.get('/admin/reviews').expect(200);
      assert.match(page.text, /Recensione segnalata/);
      assert.match(page.text, /Offensiva o d&#39;odio/);
      assert.match((await request(app).get(`/products/${product.slug}`).expect(200)).text, /Recensione segnalata/);
      const bad = await a
        .post(`/admin/reviews/${r._id}/hide`)
        .type('form')
        .send({ _csrf: csrfFrom(page.text), reason: '' })
        .expect(422);
      assert.match(bad.text, /viene inviato all&#39;autore/);
      await a
        .post(`/admin/reviews/${r._id}/hide`)
        .type('form')
        .send({ _csrf: csrfFrom(page.text), reason: 'Offensiva' })
        .expect(303);
      assert.equal((await ReviewModel.findById(r._id).lean())!.status, 'hidden');
      assert.doesNotMatch((await request(app).get(`/products/${product.slug}`).expect(200)).text, /Recensione segnalata/);
      const user = await makeUser();
      await (await signedIn(app, user.id)).get('/admin/reviews').expect(403);
    });
  });
});
