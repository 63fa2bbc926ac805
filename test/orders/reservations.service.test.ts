import assert from 'node:assert/strict';
import mongoose, { Types } from 'mongoose';
import { releaseReservations, reserveStock } from '../../src/orders/reservations.service';
import { ReservationModel } from '../../src/orders/reservation.model';
import { stockId } from '../../src/catalog/stock.model';
import { makeCoop, makeProduct, onHand } from './factories';
import { countLockInserts } from './support';

const inAnHour = () => new Date(Date.now() + 3_600_000);

describe('reservations.service: grouped stock changes', () => {
  it('serves concurrent buyers of one item in a few groups, each unit once', async () => {
    const c = await makeCoop();
    const p = await makeProduct(c._id, { stock: 100 });
    const item = stockId(p._id, 'default');
    const { inserts: lockInserts } = await countLockInserts(() =>
      Promise.all(Array.from({ length: 20 }, () => reserveStock(new Types.ObjectId(), [{ stockId: item, quantity: 1 }], inAnHour()))),
    );
    assert.equal(await onHand(p._id), 80);
    assert.equal(await ReservationModel.countDocuments({ stock: item, state: 'held' }), 20);
    assert.ok(lockInserts <= 3, `${lockInserts} lock inserts for 20 buyers`);
  });

  it('applies the releases of a group before its holds, so freed units serve the buyers waiting with them', async () => {
    const c = await makeCoop();
    const p = await makeProduct(c._id, { stock: 2 });
    const item = stockId(p._id, 'default');
    const [a, b] = [new Types.ObjectId(), new Types.ObjectId()];
    await reserveStock(a, [{ stockId: item, quantity: 1 }], inAnHour());
    await reserveStock(b, [{ stockId: item, quantity: 1 }], inAnHour());
    assert.equal(await onHand(p._id), 0);
    // Another process holds the item while two orders give back and three buyers arrive: all five wait as one group.
    const locks = mongoose.connection.collection<{ _id: string; owner: string; expiresAt: Date }>('locks');
    await locks.insertOne({ _id: `stock:${item}`, owner: 'another-process', expiresAt: new Date(Date.now() + 10_000) });
    const buyers = [new Types.ObjectId(), new Types.ObjectId(), new Types.ObjectId()];
    const results = Promise.allSettled([
      releaseReservations(a, [item]),
      releaseReservations(b, [item]),
      ...buyers.map((o) => reserveStock(o, [{ stockId: item, quantity: 1 }], inAnHour())),
    ]);
    await new Promise((r) => setTimeout(r, 50));
    await locks.deleteOne({ _id: `stock:${item}` });
    const [relA, relB, ...bought] = await results;
    assert.deepEqual([relA, relB].map((r) => r.status === 'fulfilled' && r.value), [1, 1]);
    assert.deepEqual(bought.map((r) => r.status), ['fulfilled', 'fulfilled', 'rejected']);
    assert.equal(((bought[2] as PromiseRejectedResult).reason as { code: string }).code, 'out_of_stock');
    assert.equal(await onHand(p._id), 0);
    const states = await ReservationModel.find({ stock: item }).lean();
    assert.deepEqual(states.map((r) => r.state).sort(), ['held', 'held', 'released', 'released']);
  });
});
