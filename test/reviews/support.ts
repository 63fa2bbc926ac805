import { Types } from 'mongoose';
import { shareId } from '../../src/orders';
import { CoopShareModel } from '../../src/orders/coop-share.model';
import { OrderKeyModel, OrderModel, type Order } from '../../src/orders/order.model';
import { newViewToken } from '../../src/orders/order-queries';
import type { ShareStatus } from '../../src/orders/states';
import { makeCoop, makeListedProduct, unique, type TestCoop, type TestProduct } from '../support/factories';

/**
 * An order of `products` (each from its own co-op) as checkout and
 * fulfilment leave it, written straight to the orders feature's models:
 * paid, with one share per co-op in `status` (delivered by default), and a
 * private link. `user` makes it a signed-in buyer's order.
 */
export async function orderOf(
  products: { product: TestProduct; coop: TestCoop }[],
  opts: { user?: string; status?: ShareStatus; name?: string; email?: string; createdAt?: Date; receivedAt?: Date } = {},
): Promise<{ order: Order; token: string }> {
  const s = unique();
  const { token, hash } = newViewToken();
  const lines = products.map(({ product, coop }) => ({
    product: product._id,
    sku: 'default',
    coop: coop._id,
    name: { it: product.name?.it ?? '', en: product.name?.en ?? '' },
    variantLabel: { it: '', en: '' },
    unitCents: 1000,
    quantity: 1,
    ivaRate: 10,
    lineCents: 1000,
  }));
  const coops = [...new Map(products.map(({ coop }) => [coop.id, coop])).values()];
  const order = await OrderModel.create({
    number: `FIL-2026-${s}`,
    status: 'paid',
    buyer: { user: opts.user ? new Types.ObjectId(opts.user) : null, email: opts.email ?? `buyer-${s}@example.test`, locale: 'it' },
    address: { name: opts.name ?? 'Maria Rossi', line1: 'Via Roma 1', postalCode: '53100', city: 'Siena', country: 'IT' },
    lines,
    coops: coops.map((c) => ({ coop: c._id, name: c.name, delivery: 'ship', subtotalCents: 1000, shippingCents: 0 })),
    subtotalCents: 1000 * lines.length,
    shippingCents: 0,
    totalCents: 1000 * lines.length,
    viewToken: token,
    payment: { paidAt: new Date() },
    ...(opts.createdAt ? { createdAt: opts.createdAt } : {}),
  });
  await OrderKeyModel.create({ _id: `token:${hash}`, order: order._id });
  const status = opts.status ?? 'delivered';
  const at = opts.receivedAt ?? new Date();
  for (const c of coops) {
    await CoopShareModel.create({
      _id: shareId(order._id, c._id),
      order: order._id,
      orderNumber: order.number,
      coop: c._id,
      coopName: c.name,
      delivery: 'ship',
      subtotalCents: 1000,
      shippingCents: 0,
      commissionBps: 1000,
      commissionCents: 100,
      netCents: 900,
      status,
      history: [
        { status: 'paid', at: new Date(at.getTime() - 86_400_000) },
        { status, at },
      ],
    });
  }
  return { order: order.toObject() as Order, token };
}

/** A co-op with one listed product. */
export async function coopWithProduct(): Promise<{ coop: TestCoop; product: TestProduct }> {
  const coop = await makeCoop();
  const product = await makeListedProduct(coop);
  return { coop, product };
}
