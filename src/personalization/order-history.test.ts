import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { forEachDialect } from '../../test/kit/test-databases.js';
import { OrderHistory } from './order-history.js';

forEachDialect('OrderHistory', (database) => {
  let history: OrderHistory;
  before(async () => {
    history = new OrderHistory(database());
    await history.migrate();
  });

  it('answers "your usual?" from the last order and the most bought items, and erases on request', async () => {
    const at = (day: number) => `2026-01-${String(day).padStart(2, '0')}T00:00:00.000Z`;
    await history.record('t1', 's1', [{ sku: 'tea', name: 'Tea', quantity: 1 }], at(1));
    await history.record('t1', 's1', [{ sku: 'latte', name: 'Latte', quantity: 3 }], at(2));
    await history.record(
      't1',
      's1',
      [
        { sku: 'tea', name: 'Tea', quantity: 1 },
        { sku: 'bun', name: 'Bun', quantity: 1 },
      ],
      at(3),
    );
    const usual = await history.usual('t1', 's1');
    assert.equal(usual.lastOrder?.at, at(3));
    assert.deepEqual(
      usual.favourites.map((f) => [f.sku, f.times]),
      [
        ['latte', 3],
        ['tea', 2],
        ['bun', 1],
      ],
    );
    assert.deepEqual(await history.usual('t2', 's1'), { lastOrder: null, favourites: [] });
    assert.equal(await history.erase('t1', 's1'), 3);
    assert.deepEqual(await history.orders('t1', 's1'), []);
  });

  it('keeps only the last 50 orders', async () => {
    for (let i = 0; i < 55; i++)
      await history.record('t1', 's2', [{ sku: `n${i}`, name: 'x', quantity: 1 }], new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString());
    const orders = await history.orders('t1', 's2');
    assert.equal(orders.length, 50);
    assert.equal(orders[0]?.items[0]?.sku, 'n54');
  });
});
