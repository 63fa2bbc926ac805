import { Types } from 'mongoose';
import { findCoop } from '../coops';
import { AppError } from '../platform/errors';
import type { Locale } from '../platform/i18n';
import { sendTemplate, type Mailer } from '../platform/mail';
import { OrderKeyModel, type Order } from './order.model';
import { getOrder } from './order-queries';
import { WithdrawalRequestModel } from './withdrawal.model';
import type { WithdrawalInput } from './withdrawal.schemas';

/** Orders whose goods were paid for: the ones a buyer can withdraw from. */
const WITHDRAWABLE = new Set<Order['status']>(['paid', 'completed']);

export interface WithdrawalDeps {
  mailer: Mailer;
  config: { publicUrl: string };
}

export interface RecordedWithdrawal {
  id: string;
  orderNumber: string;
  at: Date;
}

/**
 * Records a withdrawal request for an order and tells both sides: the buyer
 * gets a confirmation (at the order's own address), each co-op of the order
 * a notice. Whoever asks must name the order's number and its buyer's
 * e-mail (or be the signed-in buyer): a wrong pair gets the same answer as
 * an order that does not exist, so the form tells a stranger nothing.
 * Throws `withdrawal_order_not_found` (422) or `withdrawal_not_possible`
 * (409, an order that was never paid or has been cancelled or refunded).
 */
export async function requestWithdrawal(
  deps: WithdrawalDeps,
  input: WithdrawalInput,
  who: { userId?: string; locale: Locale },
): Promise<RecordedWithdrawal> {
  const key = await OrderKeyModel.findById(`number:${input.number}`).lean();
  const order = key ? await getOrder(key.order) : null;
  const buyerAsks =
    !!order &&
    (order.buyer.email.toLowerCase() === input.email.toLowerCase() || (!!who.userId && String(order.buyer.user ?? '') === who.userId));
  if (!order || !buyerAsks) throw new AppError('withdrawal_order_not_found', 'No order with that number and e-mail', 422);
  if (!WITHDRAWABLE.has(order.status)) throw new AppError('withdrawal_not_possible', 'This order cannot be withdrawn from', 409);

  const coops = order.coops.map((c) => c.coop);
  const request = await WithdrawalRequestModel.create({
    order: order._id,
    orderNumber: order.number,
    coops,
    name: input.name,
    email: input.email,
    goods: input.goods,
    receivedOn: input.receivedOn,
    user: who.userId && Types.ObjectId.isValid(who.userId) ? new Types.ObjectId(who.userId) : null,
    locale: who.locale,
  });
  const data = {
    number: order.number,
    name: input.name,
    email: input.email,
    goods: input.goods,
    receivedOn: input.receivedOn,
    at: request.createdAt,
    publicUrl: deps.config.publicUrl,
  };
  await sendTemplate(deps.mailer, {
    to: order.buyer.email,
    locale: who.locale,
    template: 'orders/withdrawal-buyer',
    subjectKey: 'legal.emails.withdrawalBuyer.subject',
    data: { ...data, coops: order.coops.map((c) => ({ name: c.name, legalName: c.legalName || c.name })) },
  });
  for (const c of order.coops) {
    const coop = await findCoop(c.coop);
    const to = coop?.contact?.email;
    if (!to) continue;
    await sendTemplate(deps.mailer, {
      to,
      locale: 'it',
      template: 'orders/withdrawal-coop',
      subjectKey: 'legal.emails.withdrawalCoop.subject',
      data: { ...data, lines: order.lines.filter((l) => String(l.coop) === String(c.coop)) },
    });
  }
  return { id: String(request._id), orderNumber: order.number, at: request.createdAt };
}
