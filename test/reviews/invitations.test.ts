import assert from 'node:assert/strict';
import request from 'supertest';
import { buildApp, buildServices, MemoryMailer, testConfig } from '../support/app';
import { linkIn } from '../support/smtp';
import { makeUser, unique } from '../support/factories';
import type { MailMessage } from '../../src/platform/mail';
import { ReviewInvitationModel } from '../../src/reviews/review.model';
import { hasOptedOut, optOut, optOutToken, type Invitations } from '../../src/reviews';
import { coopWithProduct, orderOf } from './support';

const DAY = 86_400_000;

/** Runs the job until nothing due is left (other tests' deliveries are in the same database). */
async function drain(invitations: Invitations, now: Date): Promise<void> {
  await invitations.schedule(now);
  for (let i = 0; i < 50; i++) {
    const r = await invitations.sendDue(now);
    if (r.sent + r.skipped + r.failed === 0) return;
  }
}

/** A mailer that fails while `failing` is set. */
class FlakyMailer extends MemoryMailer {
  failing = false;
  override async send(m: MailMessage) {
    if (this.failing) throw new Error('smtp down');
    await super.send(m);
  }
}

describe('review invitations', () => {
  it('sends one mail a week after delivery, whose links open the review page and stop further mails', async () => {
    const mailer = new MemoryMailer();
    const { app, services } = buildApp({ mailer });
    const { coop, product } = await coopWithProduct();
    const email = `buyer-${unique()}@example.test`;
    const delivered = new Date(Date.now() - 2 * DAY);
    const { order } = await orderOf([{ product, coop }], { email, receivedAt: delivered });
    await drain(services.invitations, new Date(delivered.getTime() + 6 * DAY));
    assert.equal(mailer.sent.filter((m) => m.to === email).length, 0, 'not before the week is out');
    await drain(services.invitations, new Date(delivered.getTime() + 7 * DAY + 1000));
    await drain(services.invitations, new Date(delivered.getTime() + 30 * DAY));
    const mails = mailer.sent.filter((m) => m.to === email);
    assert.equal(mails.length, 1);
    assert.match(mails[0]!.subject, new RegExp(order.number));
    const link = linkIn({ text: mails[0]!.text } as never, '/reviews/link/');
    const page = await request(app).get(link).expect(200);
    assert.match(page.text, /name="stars"/);
    const stop = linkIn({ text: mails[0]!.text } as never, '/reviews/stop/');
    assert.match((await request(app).get(stop).expect(200)).text, /Non riceverai più inviti/);
    await request(app).get(stop).expect(200);
    assert.equal(await hasOptedOut(email), true);
    assert.equal(stop, `/reviews/stop/${optOutToken(testConfig(), String(order._id))}`);
    assert.ok(
      !stop.includes(encodeURIComponent(email)) && !stop.includes(Buffer.from(email).toString('base64url')),
      'no address in the URL',
    );
    // Another order's id with this signature, or a made-up signature: refused.
    const other = await orderOf([{ product, coop }]);
    await request(app)
      .get(`/reviews/stop/${String(other.order._id)}.${stop.split('.').pop()!}`)
      .expect(404);
    await request(app)
      .get(`/reviews/stop/${String(order._id)}.${'A'.repeat(43)}`)
      .expect(404);
    assert.equal(await hasOptedOut(other.order.buyer.email), false);
  });

  it('skips an address that stopped them, and waits as many days as configured', async () => {
    const mailer = new MemoryMailer();
    const { invitations } = buildServices({ mailer, env: { REVIEW_INVITE_DAYS: '3' } });
    const { coop, product } = await coopWithProduct();
    const stopped = `stopped-${unique()}@example.test`;
    const keen = `keen-${unique()}@example.test`;
    const delivered = new Date(Date.now() - DAY);
    await orderOf([{ product, coop }], { email: stopped, receivedAt: delivered });
    await orderOf([{ product, coop }], { email: keen, receivedAt: delivered });
    // A signed-in buyer whose account's address stopped them, though the order names another one.
    const user = await makeUser();
    const moved = `moved-${unique()}@example.test`;
    await orderOf([{ product, coop }], { email: moved, user: user.id, receivedAt: delivered });
    await optOut(user.email);
    await optOut(stopped.toUpperCase());
    await drain(invitations, new Date(delivered.getTime() + 3 * DAY + 1000));
    assert.equal(mailer.sent.filter((m) => m.to === stopped).length, 0);
    assert.equal(mailer.sent.filter((m) => m.to === moved).length, 0);
    assert.equal(mailer.sent.filter((m) => m.to === keen).length, 1);
  });

  it('never sends twice: two runners at once, a crash after the send, a failed send retried', async () => {
    const mailer = new FlakyMailer();
    let crashOn: string | null = null;
    const seams = {
      reviewsStep: (step: string, id: string) => {
        if (step === 'invitation-sent' && id === crashOn) throw new Error('crash after sending');
      },
    };
    const one = buildServices({ mailer }, seams).invitations;
    const two = buildServices({ mailer }, seams).invitations;
    const { coop, product } = await coopWithProduct();
    const delivered = new Date(Date.now() - 8 * DAY);
    const now = new Date();
    const emails = Array.from({ length: 3 }, () => `race-${unique()}@example.test`);
    const orders = [];
    for (const email of emails) orders.push((await orderOf([{ product, coop }], { email, receivedAt: delivered })).order);
    await Promise.all([one.schedule(now), two.schedule(now), one.schedule(now)]);
    assert.equal(await ReviewInvitationModel.countDocuments({ _id: String(orders[0]!._id) }), 1);

    // A crash right after the first order's mail went out: it stays claimed and is never sent again.
    crashOn = String(orders[0]!._id);
    for (let i = 0; i < 50; i++) {
      const r = await one.sendDue(now).catch(() => ({ sent: 1, skipped: 0, failed: 0 }));
      if (r.sent + r.skipped + r.failed === 0) break;
    }
    crashOn = null;
    assert.equal((await ReviewInvitationModel.findById(String(orders[0]!._id)).lean())!.state, 'sending');

    // Two runners at once, over and over.
    await Promise.all([drain(one, now), drain(two, now), drain(one, now), drain(two, now)]);
    for (const email of emails) assert.equal(mailer.sent.filter((m) => m.to === email).length, 1, email);

    // A send that fails goes back to due, and is sent once when the mail server answers again.
    const late = `late-${unique()}@example.test`;
    const { order } = await orderOf([{ product, coop }], { email: late, receivedAt: delivered });
    mailer.failing = true;
    await drain(one, now);
    mailer.failing = false;
    const inv = await ReviewInvitationModel.findById(String(order._id)).lean();
    assert.equal(inv!.state, 'due');
    assert.equal(mailer.sent.filter((m) => m.to === late).length, 0);
    await Promise.all([drain(one, new Date(now.getTime() + 2 * DAY)), drain(two, new Date(now.getTime() + 2 * DAY))]);
    assert.equal(mailer.sent.filter((m) => m.to === late).length, 1);
    assert.equal((await ReviewInvitationModel.findById(String(order._id)).lean())!.state, 'sent');
  });
});
