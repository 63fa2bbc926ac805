import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { VIEWS_DIR } from '../../src/platform/config';
import { LOCALES } from '../../src/platform/i18n';
import { renderTemplate } from '../../src/platform/mail';

// Realistic data, with the apostrophes Italian names and places are full of, and one name that tries HTML.
const COOP = "Cooperativa Sant'Anna";
const BUYER = "Maria D'Amico <b>";
const CITY = "L'Aquila";
const line = (coop: string, name: string, extra: Record<string, unknown> = {}) => ({
  coop,
  quantity: 2,
  name: { it: name, en: `${name} (EN)` },
  variantLabel: { it: '500 ml', en: '500 ml' },
  lineCents: 2580,
  ivaRate: 4,
  ...extra,
});
const ADDRESS = { name: BUYER, line1: "Via dell'Aquila 4", line2: '', postalCode: '67100', city: CITY, province: 'AQ', country: 'IT' };
const ORDER = {
  number: 'FIL-2026-000123',
  viewToken: 'tok123',
  totalCents: 3570,
  iva: [{ rate: 4, cents: 137 }],
  coops: [
    { coop: 'c1', name: COOP, delivery: 'ship', shippingCents: 690 },
    { coop: 'c2', name: "Terre dell'Etna", delivery: 'pickup', shippingCents: 0 },
  ],
  lines: [line('c1', "Olio dell'Uliveto"), line('c2', "Miele d'acacia", { variantLabel: { it: '', en: '' } })],
};
const SHARES = [
  { coop: 'c1', iva: [{ rate: 4, baseCents: 2481, taxCents: 99 }] },
  { coop: 'c2', iva: [] },
];
const SHARE = { subtotalCents: 2580, shippingCents: 690, netCents: 2943, commissionCents: 327 };

/** Every mail the shop sends, with the data its sender gives it: one or more cases per template. */
const CASES: Record<string, { subjectKey: string; data: Record<string, unknown> }[]> = {
  'accounts/verify': [{ subjectKey: 'accounts.emails.verify.subject', data: { name: BUYER, url: 'http://shop.test/verify/abc' } }],
  'accounts/reset': [{ subjectKey: 'accounts.emails.reset.subject', data: { name: BUYER, url: 'http://shop.test/password/reset/abc' } }],
  'accounts/signup-exists': [
    {
      subjectKey: 'accounts.emails.signupExists.subject',
      data: { name: BUYER, loginUrl: 'http://shop.test/login', resetUrl: 'http://shop.test/password/forgot' },
    },
  ],
  'accounts/invitation': [
    {
      subjectKey: 'members.emails.invitation.subject',
      data: { coop: COOP, inviter: "Giulia O'Neill", role: 'staff', url: 'http://shop.test/invitations/abc' },
    },
  ],
  'orders/confirmation': [
    {
      subjectKey: 'orders.emails.confirmation.subject',
      data: { number: ORDER.number, order: ORDER, shares: SHARES, publicUrl: 'http://shop.test' },
    },
  ],
  'orders/coop-new-order': [
    {
      subjectKey: 'orders.emails.coopNewOrder.subject',
      data: { number: ORDER.number, share: SHARE, lines: ORDER.lines.slice(0, 1), address: ADDRESS, publicUrl: 'http://shop.test' },
    },
    {
      subjectKey: 'orders.emails.coopNewOrder.subject',
      data: { number: ORDER.number, share: SHARE, lines: ORDER.lines.slice(1), address: null, publicUrl: 'http://shop.test' },
    },
  ],
  'orders/late-refund': [
    {
      subjectKey: 'orders.emails.lateRefund.subject',
      data: { number: ORDER.number, amount: 3570, link: 'http://shop.test/orders/view/tok' },
    },
  ],
  'orders/withdrawal-buyer': [
    {
      subjectKey: 'legal.emails.withdrawalBuyer.subject',
      data: {
        number: ORDER.number,
        at: new Date('2026-11-30T10:00:00Z'),
        goods: "L'olio di Sant'Anna",
        coops: [{ name: COOP, legalName: `${COOP} Soc. Coop. Sociale` }],
        publicUrl: 'http://shop.test',
      },
    },
    {
      subjectKey: 'legal.emails.withdrawalBuyer.subject',
      data: {
        number: ORDER.number,
        at: new Date('2026-11-30T10:00:00Z'),
        goods: '',
        coops: [{ name: COOP, legalName: COOP }],
        publicUrl: 'http://shop.test',
      },
    },
  ],
  'orders/withdrawal-coop': [
    {
      subjectKey: 'legal.emails.withdrawalCoop.subject',
      data: {
        number: ORDER.number,
        name: BUYER,
        email: 'maria@example.test',
        at: new Date('2026-11-30T10:00:00Z'),
        goods: '',
        receivedOn: new Date('2026-11-28T00:00:00Z'),
        lines: ORDER.lines,
        publicUrl: 'http://shop.test',
      },
    },
  ],
  'payouts/refund-buyer': [
    {
      subjectKey: 'admin.emails.refundBuyer.subject',
      data: { number: ORDER.number, amount: 1290, reason: "Pacco rotto. L'olio è uscito" },
    },
  ],
  'payouts/refund-coop': [true, false].map((owed) => ({
    subjectKey: 'admin.emails.refundCoop.subject',
    data: { number: ORDER.number, amount: 1290, reversal: 1161, owed, reason: "L'olio è uscito", coopName: COOP },
  })),
  'workspace/fulfilment': ['preparing', 'shipped', 'delivered', 'ready_for_pickup', 'collected'].map((status) => ({
    subjectKey: `workspace.emails.subject.${status}`,
    data: {
      status,
      orderNumber: ORDER.number,
      coopName: COOP,
      lines: ORDER.lines,
      carrier: status === 'shipped' ? "Poste Italiane - L'Aquila" : '',
      trackingNumber: status === 'shipped' ? 'RR123456789IT' : '',
    },
  })),
  'reviews/invitation': [
    {
      subjectKey: 'reviews.emails.invitation.subject',
      data: {
        number: ORDER.number,
        name: BUYER,
        products: ORDER.lines.map((l) => l.name),
        link: 'http://shop.test/reviews/link/abc',
        stopLink: 'http://shop.test/reviews/stop/abc.def',
      },
    },
  ],
  'reviews/coop-new-review': [
    {
      subjectKey: 'reviews.emails.coopNew.subject',
      data: {
        review: {
          productName: { it: "Olio dell'Uliveto", en: 'Olive oil' },
          stars: 4,
          title: "L'olio è uscito",
          body: 'Buono\n<b>davvero</b>',
        },
        coopName: COOP,
        url: 'http://shop.test/workspace/coop/reviews',
      },
    },
  ],
  'reviews/moderated': (['hide', 'restore'] as const).map((action) => ({
    subjectKey: `reviews.emails.moderated.subject.${action}`,
    data: { review: { productName: { it: "Miele d'acacia", en: 'Acacia honey' } }, action, reason: "L'olio è uscito" },
  })),
};

const escapeHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&#34;').replace(/'/g, '&#39;');

/** The templates on disk, as `accounts/verify`: each must come as an HTML and a text part. */
function templatesOnDisk(): string[] {
  const dir = join(VIEWS_DIR, 'emails');
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ejs'));
  const names = new Set(files.map((f) => relative('.', f).replace(/\.(html|text)\.ejs$/, '')));
  for (const n of names) {
    assert.ok(files.includes(`${n}.html.ejs`) && files.includes(`${n}.text.ejs`), `${n} has both parts`);
  }
  return [...names].sort();
}

// Words that greet or describe the reader as a man only, in Italian; and their English cousins.
const MASCULINE_ONLY = [
  /\bCar[oi]\b/,
  /\bBenvenut[oi]\b/,
  /\bEgregio\b/,
  /\bGentile signore\b/i,
  /\b(sei|ti sei|è) (stato|registrato|iscritto|invitato|pronto|sicuro)\b/i,
  /\besserti registrato\b/i,
  /\bDear Sir\b/i,
  /\bMr\.? /,
];
const ENTITY = /&(#\d+|#x[0-9a-f]+|amp|quot|lt|gt|apos|nbsp);/i;
// A key that found no text comes back as itself, e.g. `orders.emails.confirmation.view`.
const RAW_KEY = /\b(accounts|admin|cart|catalog|common|coops|members|orders|payments|workspace)\.[a-zA-Z_]+\.[a-zA-Z_.]+\b/;

describe('mail templates', () => {
  it('has realistic data for every template on disk', () => {
    assert.deepEqual(templatesOnDisk(), Object.keys(CASES).sort());
  });

  for (const [template, cases] of Object.entries(CASES)) {
    for (const locale of LOCALES) {
      describe(`${template} in ${locale}`, () => {
        cases.forEach((c, i) => {
          it(`case ${i + 1}: a clean text part, an escaped HTML part, a neutral greeting`, async () => {
            const mail = await renderTemplate({ locale, template, ...c });
            for (const [part, body] of [
              ['subject', mail.subject],
              ['text', mail.text],
              ['html', mail.html],
            ] as const) {
              assert.doesNotMatch(body, /undefined|\[object|NaN/, `${part}: ${body}`);
              assert.doesNotMatch(body, RAW_KEY, `${part} shows a locale key: ${body}`);
              for (const re of MASCULINE_ONLY) assert.doesNotMatch(body, re, `${part}: ${body}`);
            }
            assert.doesNotMatch(mail.subject, ENTITY, mail.subject);
            assert.doesNotMatch(mail.text, ENTITY, `text part: ${mail.text}`);
            assert.doesNotMatch(mail.text, /<\/?(p|a|br|h1|h2|ul|li|table|tr|td|strong)\b/, 'no markup in the text part');
            assert.doesNotMatch(mail.text, /\n{3,}/, 'at most one blank line in a row');
            // What the sender gave: as it is in the text part, escaped in the HTML part, and in both or neither.
            const given = [
              COOP,
              BUYER,
              CITY,
              "Olio dell'Uliveto",
              "Giulia O'Neill",
              "Poste Italiane - L'Aquila",
              "L'olio è uscito",
              "Miele d'acacia",
            ].filter((n) => JSON.stringify(c.data).includes(n));
            for (const n of given) assert.equal(mail.text.includes(n), mail.html.includes(escapeHtml(n)), `${n} in both parts or neither`);
            if (given.length)
              assert.ok(
                given.some((n) => mail.text.includes(n)),
                'the text part shows what the data names',
              );
            assert.doesNotMatch(mail.html, /Sant'Anna|D'Amico|L'Aquila|dell'Uliveto|O'Neill|<b>/, 'the HTML part escapes the data');
            assert.match(mail.html, new RegExp(`<html lang="${locale}">`), 'the HTML part says its language');
          });
        });
      });
    }
  }
});
