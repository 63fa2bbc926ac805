import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT_DIR, VIEWS_DIR } from '../../src/platform/config';
import { LOCALES, labeller, localeKeys, translator } from '../../src/platform/i18n';
import { LATE_PAYMENT_STATES } from '../../src/orders/order.model';
import { ORDER_STATUSES, SHARE_STATUSES } from '../../src/orders/states';
import { COOP_KINDS, COOP_STATUSES, SOCIAL_TYPES } from '../../src/coops/coop.model';
import { MEMBER_ROLES } from '../../src/coops/membership.model';
import { PAYOUTS_STATES } from '../../src/coops/onboarding.service';
import { TRANSFER_STATUSES } from '../../src/payouts/transfer.model';
import { SHARE_MONEY_STATES } from '../../src/payouts/balances.service';
import { REFUND_STATUSES, PART_OUTCOMES } from '../../src/payouts/refund.model';
import { BULK_ITEM_STATES } from '../../src/payouts/bulk.model';
import { HOLD_POLICIES } from '../../src/payouts/settings.model';
import { LEDGER_KINDS } from '../../src/payouts/ledger.model';
import { DIFFERENCE_CODES } from '../../src/payouts/reconciliation.service';
import { FULFILMENT_ACTIONS } from '../../src/workspace/workspace.schemas';
import { holdReasonText, transferNoteText } from '../../src/admin/labels';
import { REPORT_REASONS, REVIEW_STATUSES } from '../../src/reviews/review.model';
import { CODE_ERRORS } from '../../src/promotions';

/** The audit actions the code writes: every literal `audit(…, 'action'` in src, and the two families built from a variable. */
function auditActions(): string[] {
  const found = new Set<string>([
    'transfer.release',
    'transfer.retry',
    'coop.approve',
    'coop.reject',
    'coop.pause',
    'coop.resume',
    'promotion.activate',
    'promotion.deactivate',
  ]);
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (p.endsWith('.ts')) for (const m of readFileSync(p, 'utf8').matchAll(/\baudit\(\s*[^,]+,\s*'([a-z_.]+)'/g)) found.add(m[1]!);
    }
  };
  walk(join(ROOT_DIR, 'src'));
  return [...found].sort();
}

/** Every state model, with every place its values are shown as words. */
const MODELS: [string, readonly string[], string[]][] = [
  ['order states', ORDER_STATUSES, ['orders.status']],
  ['co-op share states', SHARE_STATUSES, ['orders.shareStatus', 'workspace.shareStatus']],
  ['late payments', LATE_PAYMENT_STATES, ['orders.latePayments.states']],
  ['transfer states', TRANSFER_STATUSES, ['admin.state']],
  ["a share's money states", SHARE_MONEY_STATES, ['admin.state', 'workspace.money.transferStatus']],
  ['refund states', REFUND_STATUSES, ['admin.order.refundStatus']],
  ['refund outcomes per co-op', PART_OUTCOMES, ['admin.order.partOutcome']],
  ['bulk release items', BULK_ITEM_STATES, ['admin.bulk.item']],
  ['payout hold policies', HOLD_POLICIES, ['admin.settings.policy', 'admin.payouts.policy']],
  ['hold reasons', ['policy', 'share_cancelled', 'netted', 'dispute', 'held'], ['admin.holdReason']],
  ['ledger kinds', LEDGER_KINDS, ['admin.ledger.kinds']],
  ['reconciliation differences', DIFFERENCE_CODES, ['admin.reconciliation.codes']],
  ['co-op status', COOP_STATUSES, ['admin.coopStatus', 'workspace.status', 'workspace.dashboard.statusText']],
  ['co-op kinds', COOP_KINDS, ['coops.kind', 'workspace.kinds']],
  ['social co-op types', SOCIAL_TYPES, ['coops.socialType', 'workspace.socialTypes']],
  ['member roles', MEMBER_ROLES, ['members.roles', 'workspace.roles']],
  ['payout account states', PAYOUTS_STATES, ['workspace.payouts.state', 'workspace.payouts.explain', 'workspace.payouts.returned']],
  [
    'fulfilment steps',
    FULFILMENT_ACTIONS,
    ['workspace.orders.mark', 'workspace.orders.moved', 'workspace.emails.subject', 'workspace.emails.body'],
  ],
  ['review states', REVIEW_STATUSES, ['reviews.status']],
  ['review report reasons', REPORT_REASONS, ['reviews.reasons']],
  ['audit actions', auditActions(), ['admin.audit.actions']],
  ['promotion funders', ['platform', 'coop'], ['promotions.funder']],
  ['promotion states', ['active', 'inactive'], ['promotions.state']],
  ['discount code errors', CODE_ERRORS, ['promotions.codeError']],
];

describe('every status and code as words', () => {
  for (const locale of LOCALES) {
    const keys = new Set(localeKeys(locale));
    describe(`in ${locale}`, () => {
      for (const [name, values, namespaces] of MODELS) {
        it(`has words for every value of the ${name}`, () => {
          const missing = namespaces.flatMap((ns) => values.map((v) => `${ns}.${v}`)).filter((k) => !keys.has(k));
          assert.deepEqual(missing, []);
        });
      }
    });
  }

  it('prints no raw state, kind or code in a view (they go through label() or t())', () => {
    // Not in a CSS class (`class="state-<%= r.state %>"`), where the code is meant.
    const raw = /(?<![-\w])<%=\s*[\w.?]+\.(status|state|kind|code|role|outcome|action|policy|holdPolicy|payoutsState|transferState)\s*%>/;
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (p.endsWith('.ejs'))
          readFileSync(p, 'utf8')
            .split('\n')
            .forEach((l, i) => raw.test(l) && offenders.push(`${p.slice(VIEWS_DIR.length + 1)}:${i + 1}`));
      }
    };
    walk(VIEWS_DIR);
    assert.deepEqual(offenders, []);
  });

  describe('label()', () => {
    const label = labeller(translator('it'));
    it('gives the words of a code, and free text as it is', () => {
      assert.equal(label('admin.state', 'waiting_account'), 'In attesa del conto della cooperativa');
      assert.equal(label('orders.status', 'paid'), 'Pagato');
      assert.equal(label('admin.audit.actions', 'transfer.bulk_release.start'), 'Sblocco di più trasferimenti avviato');
      assert.equal(label('payments.requirements', 'representative.first_name'), 'il nome del legale rappresentante');
      assert.equal(label('admin.holdReason', 'Reclamo del cliente. Da verificare'), 'Reclamo del cliente. Da verificare');
      assert.equal(label('admin.state', undefined), '');
    });
  });

  describe('the admin payouts notes', () => {
    const t = translator('it');
    const label = labeller(t);
    it('turns "released by …" and hold codes into words, and keeps an admin\'s own reason', () => {
      assert.equal(holdReasonText(t, label, 'released by admin@filiera.test'), 'Sbloccato da admin@filiera.test');
      assert.equal(holdReasonText(t, label, 'held by admin@filiera.test'), 'Trattenuto da admin@filiera.test');
      assert.equal(holdReasonText(t, label, 'dispute'), 'Contestazione aperta sul pagamento');
      assert.equal(holdReasonText(t, label, 'Reclamo del cliente'), 'Reclamo del cliente');
    });
    it("turns a transfer state or error code into words, keeping the provider's detail", () => {
      assert.equal(transferNoteText(label, 'waiting_account'), 'In attesa del conto della cooperativa');
      assert.equal(transferNoteText(label, 'transfer_already_sent'), 'Già trasferito');
      assert.equal(
        transferNoteText(label, 'balance_insufficient: Insufficient funds'),
        'Saldo della piattaforma insufficiente (Insufficient funds)',
      );
      assert.equal(transferNoteText(label, 'Something odd happened'), 'Something odd happened');
    });
  });
});
