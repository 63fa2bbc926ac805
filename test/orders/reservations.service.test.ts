import assert from 'node:assert/strict';
import { Types } from 'mongoose';
import {
  finishInterruptedSales,
  ordersWithStaleReservations,
  releaseReservations,
  reserveStock,
  sellReservations,
} from '../../src/orders/reservations.service';
import { ReservationModel, reservationId } from '../../src/orders/reservation.model';
import { holdUnits, markHoldSold, releaseHold } from '../../src/catalog/stock.service';
import { StockLevelModel, decodeHold, stockId } from '../../src/catalog/stock.model';
import { makeCoop, makeListedProduct, onHand } from '../support/factories';

const inAnHour = () => new Date(Date.now() + 3_600_000);
const one = (item: string, quantity = 1) => [{ stockId: item, quantity }];

/** An item with `stock` units, and its stock id. */
async function item(stock: number) {
  const c = await makeCoop();
  const p = await makeListedProduct(c, { stock });
  return { productId: p._id, id: stockId(p._id, 'default') };
}

/** The holds in the item's stock level, decoded, by order id. */
async function holdsOf(id: string) {
  const doc = await StockLevelModel.findById(id).lean();
  const raw = (doc?.holds ?? {}) as unknown as Record<string, string>;
  return Object.fromEntries(Object.entries(raw).map(([o, s]) => [o, decodeHold(s)]));
}

const stateOf = async (orderId: Types.ObjectId, id: string) =>
  (await ReservationModel.findById(reservationId(orderId, id)).lean())?.state ?? null;

describe('reservations.service: holds kept in the stock level', () => {
  describe('reserveStock', () => {
    describe('with 20 concurrent buyers of one item', () => {
      it('holds each unit once', async () => {
        const it = await item(100);
        const orders = Array.from({ length: 20 }, () => new Types.ObjectId());
        await Promise.all(orders.map((o) => reserveStock(o, one(it.id), inAnHour())));
        assert.equal(await onHand(it.productId), 80);
        assert.equal(Object.keys(await holdsOf(it.id)).length, 20);
        assert.equal(await ReservationModel.countDocuments({ stock: it.id, state: 'held' }), 20);
      });
    });

    describe('when one line cannot be held', () => {
      it('holds none of the lines and throws out_of_stock', async () => {
        const [a, b] = [await item(5), await item(1)];
        const order = new Types.ObjectId();
        await assert.rejects(
          reserveStock(
            order,
            [
              { stockId: a.id, quantity: 2 },
              { stockId: b.id, quantity: 2 },
            ],
            inAnHour(),
          ),
          { code: 'out_of_stock' },
        );
        assert.equal(await onHand(a.productId), 5);
        assert.equal(await onHand(b.productId), 1);
        assert.deepEqual(await holdsOf(a.id), {});
        assert.equal(await ReservationModel.countDocuments({ order }), 0);
      });
    });

    describe('when the process died after the stock write, before the reservation', () => {
      it('is consistent, and a retry records the hold without taking more', async () => {
        const it = await item(10);
        const order = new Types.ObjectId();
        const exp = inAnHour();
        // The first write of reserveStock, alone: the units are taken and the hold says for whom.
        await holdUnits(it.id, String(order), 3, exp);
        assert.equal(await onHand(it.productId), 7);
        assert.deepEqual(await holdsOf(it.id), { [String(order)]: { q: 3, exp } });
        await reserveStock(order, one(it.id, 3), exp);
        assert.equal(await onHand(it.productId), 7);
        assert.equal(await stateOf(order, it.id), 'held');
      });

      it('is given back by the sweeper once the hold expires, even with no order written', async () => {
        const it = await item(10);
        const order = new Types.ObjectId();
        await holdUnits(it.id, String(order), 4, new Date(Date.now() - 1_000));
        assert.ok((await ordersWithStaleReservations()).some((o) => o.equals(order)));
        // What sweepStaleReservations → releaseOrder does for an order that was never written (no lines known).
        assert.equal(await releaseReservations(order), 4);
        assert.equal(await onHand(it.productId), 10);
        assert.ok(!(await ordersWithStaleReservations()).some((o) => o.equals(order)));
      });
    });

    describe("when the line was already sold to the order (a retry of taking a paid order's stock again)", () => {
      it('does not take it a second time', async () => {
        const it = await item(10);
        const order = new Types.ObjectId();
        await reserveStock(order, one(it.id, 2), inAnHour());
        await sellReservations(order, [it.id]);
        await reserveStock(order, one(it.id, 2), inAnHour());
        assert.equal(await onHand(it.productId), 8);
        assert.deepEqual(await holdsOf(it.id), {});
        assert.equal(await stateOf(order, it.id), 'sold');
      });
    });

    describe("after the order's hold was released", () => {
      it('holds it again (a cancelled order paid late) and the sale takes it', async () => {
        const it = await item(10);
        const order = new Types.ObjectId();
        await reserveStock(order, one(it.id, 2), inAnHour());
        await releaseReservations(order, [it.id]);
        await reserveStock(order, one(it.id, 2), inAnHour());
        assert.equal(await stateOf(order, it.id), 'held');
        assert.deepEqual(await sellReservations(order, [it.id]), { sold: 1, missing: 0 });
        assert.equal(await onHand(it.productId), 8);
      });
    });
  });

  describe('releaseReservations', () => {
    it('gives the units back once to 10 concurrent calls', async () => {
      const it = await item(10);
      const order = new Types.ObjectId();
      await reserveStock(order, one(it.id, 4), inAnHour());
      const given = await Promise.all(Array.from({ length: 10 }, () => releaseReservations(order, [it.id])));
      assert.equal(
        given.reduce((n, g) => n + g, 0),
        4,
      );
      assert.equal(await onHand(it.productId), 10);
      assert.equal(await stateOf(order, it.id), 'released');
    });

    describe('when the process died after the units went back, before the reservation was marked', () => {
      it('marks it on the next run and gives nothing back twice', async () => {
        const it = await item(10);
        const order = new Types.ObjectId();
        await reserveStock(order, one(it.id, 4), inAnHour());
        await releaseHold(it.id, String(order));
        assert.equal(await stateOf(order, it.id), 'held');
        assert.equal(await releaseReservations(order, [it.id]), 0);
        assert.equal(await onHand(it.productId), 10);
        assert.equal(await stateOf(order, it.id), 'released');
      });
    });
  });

  describe('sellReservations', () => {
    it('sells once when a sale and releases of the same order race', async () => {
      const it = await item(10);
      const order = new Types.ObjectId();
      await reserveStock(order, one(it.id, 3), inAnHour());
      const [sale, ...released] = await Promise.all([
        sellReservations(order, [it.id]),
        releaseReservations(order, [it.id]),
        releaseReservations(order, [it.id]),
      ]);
      const units = released.reduce((n, r) => n + r, 0);
      // Either the sale won (3 units out for good) or a release did (3 back, the sale finds them missing).
      if (sale.sold) {
        assert.deepEqual([sale, units, await onHand(it.productId), await stateOf(order, it.id)], [{ sold: 1, missing: 0 }, 0, 7, 'sold']);
      } else {
        assert.deepEqual(
          [sale, units, await onHand(it.productId), await stateOf(order, it.id)],
          [{ sold: 0, missing: 1 }, 3, 10, 'released'],
        );
      }
      assert.deepEqual(await holdsOf(it.id), {});
    });

    describe('when the process died after marking the hold sold, before recording the sale', () => {
      it('never gives the units back, and the next sale call finishes it', async () => {
        const it = await item(10);
        const order = new Types.ObjectId();
        await reserveStock(order, one(it.id, 3), inAnHour());
        await markHoldSold(it.id, String(order));
        // Expiry or cancellation now must not give back units that were paid for.
        assert.equal(await releaseReservations(order, [it.id]), 0);
        assert.ok(!(await ordersWithStaleReservations(new Date(Date.now() + 2 * 3_600_000))).some((o) => o.equals(order)));
        assert.deepEqual(await sellReservations(order, [it.id]), { sold: 1, missing: 0 });
        assert.equal(await onHand(it.productId), 7);
        assert.equal(await stateOf(order, it.id), 'sold');
        assert.deepEqual(await holdsOf(it.id), {});
        // Asked again (a redelivered payment event): nothing more, and not reported missing.
        assert.deepEqual(await sellReservations(order, [it.id]), { sold: 0, missing: 0 });
      });

      it('is finished by the sweeper when no payment call comes again', async () => {
        const it = await item(10);
        const order = new Types.ObjectId();
        await reserveStock(order, one(it.id, 3), inAnHour());
        await markHoldSold(it.id, String(order), new Date(Date.now() - 5 * 60_000));
        assert.ok((await finishInterruptedSales()) >= 1);
        assert.equal(await stateOf(order, it.id), 'sold');
        assert.deepEqual(await holdsOf(it.id), {});
        assert.equal(await onHand(it.productId), 7);
      });
    });
  });
});
