import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { forEachDialect } from '../../test/kit/test-databases.js';
import { ConsentStore } from './consent-store.js';

forEachDialect('ConsentStore', (database) => {
  let store: ConsentStore;
  const grant = (tenantId: string, grantedAt = '2026-01-01T00:00:00.000Z') =>
    store.grant({
      tenantId,
      textVersion: 'eu-2026-11',
      textSha256: 'ab'.repeat(32),
      purposes: ['payment'],
      jurisdiction: 'EU',
      deviceId: 'kiosk',
      grantedAt,
    });

  before(async () => {
    store = new ConsentStore(database());
    await store.migrate();
    await store.migrate();
  });

  it('keeps a receipt and hides it from other tenants', async () => {
    const consent = await grant('t1');
    assert.deepEqual((await store.get('t1', consent.id))?.purposes, ['payment']);
    assert.equal(await store.get('t2', consent.id), undefined);
  });

  it('binds one subject per consent, never a withdrawn one', async () => {
    const consent = await grant('t1');
    assert.equal(await store.bindSubject('t1', consent.id, 's1'), true);
    assert.equal(await store.bindSubject('t1', consent.id, 's2'), false);
    assert.equal((await store.findBySubject('t1', 's1'))?.id, consent.id);
    const withdrawn = await grant('t1');
    await store.withdraw('t1', withdrawn.id, 'all', '2026-02-01T00:00:00.000Z');
    assert.equal(await store.bindSubject('t1', withdrawn.id, 's3'), false);
  });

  it('finds inactive and interrupted opt-outs for erasure, and issues each receipt once', async () => {
    const stale = await grant('t3', '2020-01-01T00:00:00.000Z');
    const fresh = await grant('t3', '2026-06-01T00:00:00.000Z');
    const due = (await store.dueForErasure('2025-01-01T00:00:00.000Z', 1000)).map((c) => c.id);
    assert.ok(due.includes(stale.id) && !due.includes(fresh.id));
    const receipt = {
      tenantId: 't3',
      consentId: stale.id,
      subjectId: null,
      reason: 'retention' as const,
      erasedAt: '2026-06-02T00:00:00.000Z',
    };
    const first = await store.recordErasure({ ...receipt, templatesErased: 2, tokensUnlinked: 1, ordersErased: 0 });
    const second = await store.recordErasure({ ...receipt, templatesErased: 0, tokensUnlinked: 0, ordersErased: 0 });
    assert.deepEqual(second, first);
    assert.equal((await store.get('t3', stale.id))?.withdrawnAt, '2026-06-02T00:00:00.000Z');
    assert.ok(!(await store.dueForErasure('2025-01-01T00:00:00.000Z', 1000)).some((c) => c.id === stale.id));
  });
});
