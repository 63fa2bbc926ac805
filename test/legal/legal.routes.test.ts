import assert from 'node:assert/strict';
import type { Express } from 'express';
import request from 'supertest';
import { buildApp, csrfFrom } from '../support/app';
import { makeCoop, makeListedProduct, makeUser, unique } from '../support/factories';
import { signedIn } from '../admin/helpers';
import { AuditEntryModel } from '../../src/platform/audit.model';
import { CoopModel } from '../../src/coops/coop.model';
import { LEGAL_PAGES, type Legal } from '../../src/legal';

const ODR = 'ec.europa.eu/consumers/odr';

/** A valid company form: the demo company's data with a new name and the confirmation. */
function companyForm(overrides: Record<string, string> = {}) {
  return {
    legalName: `Filiera Prova ${unique()} S.r.l.`,
    legalForm: 'Società a responsabilità limitata',
    vatNumber: 'IT09123450125',
    taxCode: '09123450125',
    rea: 'MI-2712345',
    seat: 'Via Paolo Sarpi 12, 20154 Milano (MI)',
    pec: 'filiera@pec.filiera.example',
    email: 'assistenza@filiera.example',
    phone: '+39 02 1234 5678',
    complaintsEmail: 'reclami@filiera.example',
    hoursIt: 'lunedì–venerdì 9–18',
    hoursEn: 'Monday to Friday 9–6',
    deliveryTimesIt: 'Spedizione entro 3 giorni lavorativi.',
    deliveryTimesEn: 'Shipped within 3 working days.',
    confirm: 'yes',
    ...overrides,
  };
}

describe('legal', () => {
  let app: Express;
  let legal: Legal;
  before(() => {
    const built = buildApp();
    app = built.app;
    legal = built.services.legal;
  });

  describe('legal pages', () => {
    for (const lang of ['it', 'en'] as const) {
      describe(`in ${lang === 'it' ? 'Italian' : 'English'}`, () => {
        for (const page of LEGAL_PAGES) {
          it(`GET /legal/${page} shows the page with the company data and no ODR link`, async () => {
            const company = await legal.company();
            const res = await request(app).get(`/legal/${page}`).set('Cookie', `lang=${lang}`).expect(200);
            assert.match(res.text, new RegExp(`<html lang="${lang}">`));
            assert.ok(res.text.includes(company.vatNumber), 'the P.IVA is shown');
            assert.ok(res.text.includes(company.legalName.replace(/&/g, '&amp;')), 'the legal name is shown');
            assert.ok(!res.text.includes(ODR), 'no link to the closed ODR platform');
            assert.match(res.text, /<a href="\/legal\/withdrawal"/);
          });
        }
      });
    }

    it('names the other routes to redress instead of the ODR platform', async () => {
      const it = await request(app).get('/legal/terms').expect(200);
      assert.match(it.text, /organismi ADR/);
      assert.match(it.text, /Ministero delle Imprese e del Made in Italy/);
      assert.match(it.text, /Centro europeo consumatori Italia/);
      assert.match(it.text, /giudice del luogo in cui risiedi/);
      assert.match(it.text, /entro due anni dalla consegna/);
      const en = await request(app).get('/legal/terms').set('Cookie', 'lang=en').expect(200);
      assert.match(en.text, /European Consumer Centre Italy/);
    });

    it('GET /legal/withdrawal states the 14 days, the exceptions, and offers the online form', async () => {
      const res = await request(app).get('/legal/withdrawal').expect(200);
      assert.match(res.text, /entro 14 giorni/);
      assert.match(res.text, /rischiano di deteriorarsi/);
      assert.match(res.text, /su misura o chiaramente personalizzati/);
      assert.match(res.text, /sigillati/);
      assert.match(res.text, /<form method="post" action="\/legal\/withdrawal"/);
      assert.match(res.text, /href="\/legal\/withdrawal\/model-form"/);
    });

    it('GET /legal/withdrawal/model-form is the printable EU model form', async () => {
      const res = await request(app).get('/legal/withdrawal/model-form').expect(200);
      assert.match(res.text, /notifichiamo il recesso dal mio\/nostro \(\*\) contratto di vendita/);
      const en = await request(app).get('/legal/withdrawal/model-form').set('Cookie', 'lang=en').expect(200);
      assert.match(en.text, /hereby give notice that I\/We \(\*\) withdraw/);
    });

    it('GET /legal/cookies lists exactly the cookies the app sets', async () => {
      const res = await request(app).get('/legal/cookies').expect(200);
      assert.match(res.text, /<code>filiera\.sid<\/code>/);
      assert.match(res.text, /<code>filiera\.sv<\/code>/);
      assert.match(res.text, /<code>lang<\/code>/);
      assert.equal((res.text.match(/<th scope="row"><code>/g) ?? []).length, 3);
    });

    it('GET /legal/shipping and /legal/company list each co-op with its shipping rule and legal identity', async () => {
      const coop = await makeCoop({
        legalName: 'Cooperativa Prova Soc. Coop. Sociale',
        vatNumber: '03987654328',
        seat: 'Via Verdi 3, 70121 Bari (BA)',
        shipping: { flatCents: 790, freeOverCents: 6900, pickup: true },
      });
      const shipping = await request(app).get('/legal/shipping').expect(200);
      const row = new RegExp(
        `${coop.name}</a></th>\\s*<td>Bari \\(Puglia\\)</td>\\s*<td class="num">7,90\\s€</td>\\s*<td class="num">69,00\\s€</td>\\s*<td>sì, gratuito</td>`,
      );
      assert.match(shipping.text, row);
      const company = await request(app).get('/legal/company').expect(200);
      assert.match(
        company.text,
        new RegExp(
          `${coop.name}</a></th>\\s*<td>Cooperativa Prova Soc. Coop. Sociale</td>\\s*<td>03987654328</td>\\s*<td>Via Verdi 3, 70121 Bari \\(BA\\)</td>`,
        ),
      );
    });

    it('lists every cookie a visitor gets by choosing a language and filling a cart', async () => {
      const coop = await makeCoop();
      const product = await makeListedProduct(coop);
      const b = request.agent(app);
      const names = new Set<string>();
      const collect = (res: request.Response) => {
        for (const c of ([] as string[]).concat(res.headers['set-cookie'] ?? [])) names.add(c.split('=')[0]!);
        return res;
      };
      collect(await b.get('/lang/it?next=/'));
      const page = collect(await b.get('/legal/withdrawal').expect(200));
      collect(
        await b
          .post('/cart/items')
          .type('form')
          .send({ _csrf: csrfFrom(page.text), productId: product.id, quantity: '1' })
          .expect(303),
      );
      collect(await b.get('/cart').expect(200));
      assert.deepEqual([...names].sort(), ['filiera.sid', 'filiera.sv', 'lang']);
      const cookies = await request(app).get('/legal/cookies').expect(200);
      for (const name of names) assert.ok(cookies.text.includes(`<code>${name}</code>`), `${name} is listed`);
    });

    it('GET /legal/nothing is 404', async () => {
      await request(app).get('/legal/nothing').expect(404);
    });

    it('the footer of every page links the legal pages and names the company', async () => {
      const company = await legal.company();
      const res = await request(app).get('/legal/privacy').expect(200);
      const footer = res.text.slice(res.text.indexOf('<footer'));
      for (const page of LEGAL_PAGES) assert.match(footer, new RegExp(`href="/legal/${page}"`));
      assert.ok(footer.includes(`P.IVA ${company.vatNumber}`));
    });

    describe('seller identity', () => {
      it('shows "Venduto da" with ragione sociale, P.IVA and seat on the product and co-op pages', async () => {
        const coop = await makeCoop({ legalName: 'Api Unite Soc. Coop.', vatNumber: '02876543212', seat: 'Via Roma 52, 12100 Cuneo (CN)' });
        const product = await makeListedProduct(coop);
        const seller = /Venduto da <strong>Api Unite Soc\. Coop\.<\/strong> · P\.IVA 02876543212 · Via Roma 52, 12100 Cuneo \(CN\)/;
        assert.match((await request(app).get(`/products/${product.slug}`).expect(200)).text, seller);
        assert.match((await request(app).get(`/coops/${coop.slug}`).expect(200)).text, seller);
        const en = await request(app).get(`/products/${product.slug}`).set('Cookie', 'lang=en').expect(200);
        assert.match(en.text, /Sold by <strong>Api Unite Soc\. Coop\.<\/strong> · VAT 02876543212/);
      });
    });
  });

  describe('admin: legal data', () => {
    describe('GET and POST /admin/legal', () => {
      it('refuses a signed-in non-admin (403) and sends a guest to sign in', async () => {
        const user = await makeUser();
        const agent = await signedIn(app, user.id);
        await agent.get('/admin/legal').expect(403);
        await agent.post('/admin/legal').type('form').send(companyForm()).expect(403);
        const guest = await request(app).get('/admin/legal');
        assert.equal(guest.status, 303);
      });

      it('shows the form again with a message per bad field (422) and saves nothing', async () => {
        const admin = await makeUser({ isAdmin: true });
        const agent = await signedIn(app, admin.id);
        const before = await legal.company();
        const page = await agent.get('/admin/legal').expect(200);
        assert.match(page.text, /<a href="\/admin\/legal" aria-current="page">/);
        const bad = companyForm({ vatNumber: '12345678901', pec: 'not-mail', legalName: '', confirm: '' });
        const res = await agent
          .post('/admin/legal')
          .type('form')
          .send({ _csrf: csrfFrom(page.text), ...bad })
          .expect(422);
        assert.match(res.text, /id="vatNumber"[^>]*aria-invalid="true"/);
        assert.match(res.text, /Serve una partita IVA italiana valida/);
        assert.match(res.text, /id="pec"[^>]*aria-invalid="true"/);
        assert.match(res.text, /id="legalName"[^>]*aria-invalid="true"/);
        assert.match(res.text, /id="legal-confirm-error"/);
        // What was typed is kept.
        assert.match(res.text, /id="seat"[^>]*value="Via Paolo Sarpi 12, 20154 Milano \(MI\)"/);
        assert.deepEqual(await legal.company(), before);
      });

      it('saves, audits, moves the terms version on and shows the new data in the footer', async () => {
        const admin = await makeUser({ isAdmin: true });
        const agent = await signedIn(app, admin.id);
        const before = await legal.company();
        const page = await agent.get('/admin/legal').expect(200);
        const form = companyForm();
        await agent
          .post('/admin/legal')
          .type('form')
          .send({ _csrf: csrfFrom(page.text), ...form })
          .expect(303)
          .expect('Location', '/admin/legal');
        const after = await legal.company();
        assert.equal(after.legalName, form.legalName);
        assert.equal(after.revision, before.revision + 1);
        assert.notEqual(after.termsVersion, before.termsVersion);
        const entry = await AuditEntryModel.findOne({ action: 'legal.company', actor: admin.id }).lean();
        assert.equal((entry?.after as { legalName: string }).legalName, form.legalName);
        assert.equal((entry?.before as { legalName: string }).legalName, before.legalName);
        const terms = await request(app).get('/legal/terms').expect(200);
        assert.ok(terms.text.includes(`Versione ${after.termsVersion}`));
        const footer = terms.text.slice(terms.text.indexOf('<footer'));
        assert.ok(footer.includes(`${form.legalName} · P.IVA IT09123450125`));
      });
    });

    describe('POST /admin/coops/:coopId/legal', () => {
      it("corrects a co-op's legal identity, audited; a bad P.IVA is refused", async () => {
        const admin = await makeUser({ isAdmin: true });
        const agent = await signedIn(app, admin.id);
        const coop = await makeCoop();
        const page = await agent.get(`/admin/coops/${coop.id}`).expect(200);
        const csrf = csrfFrom(page.text);
        const bad = await agent
          .post(`/admin/coops/${coop.id}/legal`)
          .type('form')
          .send({ _csrf: csrf, legalName: 'X Soc. Coop.', vatNumber: '12345678901', seat: 'Via Roma 1, 70121 Bari (BA)' })
          .expect(422);
        assert.match(bad.text, /id="vatNumber"[^>]*aria-invalid="true"/);
        await agent
          .post(`/admin/coops/${coop.id}/legal`)
          .type('form')
          .send({ _csrf: csrf, legalName: 'X Soc. Coop.', vatNumber: '05678901231', seat: 'Via Roma 1, 70121 Bari (BA)' })
          .expect(303);
        const saved = await CoopModel.findById(coop._id).lean();
        assert.deepEqual([saved?.legalName, saved?.vatNumber, saved?.seat], ['X Soc. Coop.', '05678901231', 'Via Roma 1, 70121 Bari (BA)']);
        assert.ok(await AuditEntryModel.exists({ action: 'coop.legal', target: `coop:${coop.id}` }));
        const user = await makeUser();
        await (await signedIn(app, user.id)).post(`/admin/coops/${coop.id}/legal`).type('form').send({ legalName: 'Y' }).expect(403);
      });
    });
  });
});
