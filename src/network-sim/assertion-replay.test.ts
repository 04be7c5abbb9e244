import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import Database from 'better-sqlite3';
import { matchingRequest, signAssertion, simulatorWithCard } from '../../test/kit/network-test-kit.js';
import { NETWORK_DB_FILE } from './network-store.js';

const card = simulatorWithCard();

test('an assertion is single use: the second authorization with its jti is declined as replayed', async () => {
  const assertion = await signAssertion(card.facekey, card.tokenRef);
  const first = await card.sim.post('/v1/authorizations', matchingRequest(assertion));
  assert.equal(first.json.decision, 'approved');
  const second = await card.sim.post('/v1/authorizations', matchingRequest(assertion));
  assert.equal(second.json.decision, 'declined');
  assert.deepEqual(second.json.reasons, ['assertion_replayed']);
});

test('a presentation that does not fit the assertion does not use it up: the genuine one still authorizes', async () => {
  const assertion = await signAssertion(card.facekey, card.tokenRef);
  for (const [overrides, reasons] of [
    [{ amount: 9999 }, ['amount_mismatch']],
    [{ currency: 'USD' }, ['currency_mismatch']],
    [{ merchant: 'someone-else' }, ['merchant_mismatch']],
    [{ merchantRef: 'order-other' }, ['merchant_mismatch']],
  ] as const) {
    const wrong = await card.sim.post('/v1/authorizations', matchingRequest(assertion, overrides));
    assert.deepEqual(wrong.json.reasons, reasons);
  }
  const genuine = await card.sim.post('/v1/authorizations', matchingRequest(assertion));
  assert.deepEqual({ decision: genuine.json.decision, reasons: genuine.json.reasons }, { decision: 'approved', reasons: [] });
  const again = await card.sim.post('/v1/authorizations', matchingRequest(assertion));
  assert.deepEqual(again.json.reasons, ['assertion_replayed'], 'the approval spent it');
});

test("a decline for the network's own reasons uses the jti up, so a retry is a replay", async () => {
  const assertion = await signAssertion(card.facekey, card.tokenRef, { claims: { liveness: { method: 'burst', passed: false } } });
  const declined = await card.sim.post('/v1/authorizations', matchingRequest(assertion));
  assert.deepEqual(declined.json.reasons, ['liveness_not_passed']);
  const retry = await card.sim.post('/v1/authorizations', matchingRequest(assertion));
  assert.deepEqual(retry.json.reasons, ['assertion_replayed', 'liveness_not_passed']);
});

test('a different assertion reusing a jti is a replay even when everything else differs', async () => {
  const jti = 'shared-jti-' + Math.random();
  const first = await card.sim.post(
    '/v1/authorizations',
    matchingRequest(await signAssertion(card.facekey, card.tokenRef, { claims: { jti } })),
  );
  assert.equal(first.json.decision, 'approved');
  const other = await signAssertion(card.facekey, card.tokenRef, { claims: { jti, amount: 700, merchant_ref: 'order-99' } });
  const second = await card.sim.post('/v1/authorizations', matchingRequest(other, { amount: 700, merchantRef: 'order-99' }));
  assert.deepEqual(second.json.reasons, ['assertion_replayed']);
});

test('concurrent authorizations carrying the same jti: exactly one is approved', async () => {
  for (let round = 0; round < 5; round++) {
    const assertion = await signAssertion(card.facekey, card.tokenRef);
    const results = await Promise.all(Array.from({ length: 8 }, () => card.sim.post('/v1/authorizations', matchingRequest(assertion))));
    const decisions = results.map((r) => r.json.decision as string);
    assert.equal(decisions.filter((d) => d === 'approved').length, 1, decisions.join(','));
    for (const r of results.filter((x) => x.json.decision === 'declined')) assert.deepEqual(r.json.reasons, ['assertion_replayed']);
  }
  // The store agrees: each jti was consumed once, and every attempt was recorded.
  const db = new Database(path.join(card.sim.dataDir, NETWORK_DB_FILE), { readonly: true });
  try {
    const rows = db
      .prepare(
        'SELECT presented_jti, COUNT(*) AS attempts, COUNT(jti) AS consumed FROM authorizations GROUP BY presented_jti HAVING attempts = 8',
      )
      .all() as { attempts: number; consumed: number }[];
    assert.equal(rows.length, 5);
    for (const row of rows) assert.equal(row.consumed, 1);
  } finally {
    db.close();
  }
});
