import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { forEachDialect } from '../../test/kit/test-databases.js';
import { PaymentStore } from './payment-store.js';

forEachDialect('PaymentStore', (database) => {
  let store: PaymentStore;
  before(async () => {
    store = new PaymentStore(database());
    await store.migrate();
  });

  it('links token references newest first and narrows by second-factor lookup', async () => {
    await store.linkToken('t1', 's1', 'tok_a', '2026-01-01T00:00:00.000Z');
    await store.linkToken('t1', 's1', 'tok_b', '2026-01-02T00:00:00.000Z');
    await store.linkToken('t1', 's1', 'tok_b', '2026-01-03T00:00:00.000Z');
    assert.deepEqual(
      (await store.tokens('t1', 's1')).map((t) => t.tokenRef),
      ['tok_b', 'tok_a'],
    );
    await store.setSecondFactor('t1', 's1', 'phone_last4', 'L1', '2026-01-01T00:00:00.000Z');
    await store.setSecondFactor('t1', 's2', 'phone_last4', 'L1', '2026-01-01T00:00:00.000Z');
    await store.setSecondFactor('t1', 's1', 'phone_last4', 'L2', '2026-01-02T00:00:00.000Z');
    assert.deepEqual(await store.subjectsWithFactor('t1', 'phone_last4', 'L1'), ['s2']);
    assert.deepEqual(await store.subjectsWithFactor('t2', 'phone_last4', 'L2'), []);
    assert.deepEqual(await store.eraseSubject('t1', 's1'), { tokensUnlinked: 2 });
    assert.deepEqual(await store.tokens('t1', 's1'), []);
    assert.deepEqual(await store.secondFactorKinds('t1', 's1'), []);
  });

  it('locks after the maximum failures, and a success does not lift a running lock', async () => {
    const until = '2026-01-01T00:15:00.000Z';
    for (let i = 1; i < 3; i++)
      assert.equal((await store.recordFailure('terminal', 'x', 3, '2026-01-01T00:00:00.000Z', until)).lockedUntil, null);
    assert.equal((await store.recordFailure('terminal', 'x', 3, '2026-01-01T00:00:00.000Z', until)).lockedUntil, until);
    await store.clearFailures('terminal', 'x', '2026-01-01T00:01:00.000Z');
    assert.equal((await store.failureState('terminal', 'x')).lockedUntil, until);
    await store.clearFailures('terminal', 'x', '2026-01-01T00:16:00.000Z');
    assert.deepEqual(await store.failureState('terminal', 'x'), { failures: 0, lockedUntil: null });
  });

  it('counts concurrent failures without losing any', async () => {
    await Promise.all(Array.from({ length: 10 }, () => store.recordFailure('subject', 'c', 100, '2026-01-01T00:00:00.000Z', 'z')));
    assert.equal((await store.failureState('subject', 'c')).failures, 10);
  });
});
