import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SignJWT } from 'jose';
import {
  localKeys,
  makeSigningKey,
  matchingRequest,
  MERCHANT,
  signAssertion,
  simulatorWithCard,
  startTestSimulator,
} from '../../test/kit/network-test-kit.js';

const card = simulatorWithCard({ cardLimit: 100_000 });

async function authorize(assertion: string, overrides: Record<string, unknown> = {}): Promise<{ decision: string; reasons: string[] }> {
  const response = await card.sim.post('/v1/authorizations', matchingRequest(assertion, overrides));
  assert.equal(response.status, 200, JSON.stringify(response.json));
  return response.json;
}

test('a well-formed assertion for an active card within its limit is approved and recorded', async () => {
  const response = await card.sim.post('/v1/authorizations', matchingRequest(await signAssertion(card.facekey, card.tokenRef)));
  assert.equal(response.status, 200);
  assert.equal(response.json.decision, 'approved');
  assert.deepEqual(response.json.reasons, []);
  assert.match(response.json.authorizationId, /^auth_/);
  const stored = await card.sim.request('GET', `/v1/authorizations/${response.json.authorizationId}`);
  assert.equal(stored.status, 200);
  assert.deepEqual(
    { ...stored.json, createdAt: typeof stored.json.createdAt },
    {
      authorizationId: response.json.authorizationId,
      decision: 'approved',
      reasons: [],
      tokenRef: card.tokenRef,
      amount: 1250,
      currency: 'EUR',
      merchant: MERCHANT,
      merchantRef: 'order-42',
      createdAt: 'string',
    },
  );
});

test('assertion_invalid: wrong key, garbage, wrong alg, typ, audience, issuer, shape or lifetime', async () => {
  const impostor = await makeSigningKey(card.facekey.kid); // same kid, different key
  const cases: Record<string, string> = {
    'signed by another key': await signAssertion(card.facekey, card.tokenRef, { key: impostor }),
    'unknown kid': await signAssertion(await makeSigningKey('other-kid'), card.tokenRef),
    'not a JWS': 'not-a-jws',
    'tampered payload': (await signAssertion(card.facekey, card.tokenRef)).replace(
      /\.([^.]+)\./,
      (_m, p: string) => `.${p.slice(0, -2)}AA.`,
    ),
    HS256: await new SignJWT({ token_ref: card.tokenRef, jti: 'hs' })
      .setProtectedHeader({ alg: 'HS256', typ: 'facekey-assertion+jwt', kid: card.facekey.kid })
      .setIssuedAt()
      .setExpirationTime('1m')
      .sign(new Uint8Array(32)),
    'typ JWT': await signAssertion(card.facekey, card.tokenRef, { header: { typ: 'JWT' } }),
    'no typ': await signAssertion(card.facekey, card.tokenRef, { header: { typ: undefined } }),
    'wrong audience': await signAssertion(card.facekey, card.tokenRef, { claims: { aud: 'some-other-network' } }),
    'audience list': await signAssertion(card.facekey, card.tokenRef, { claims: { aud: ['facekey-network', 'x'] } }),
    'wrong issuer': await signAssertion(card.facekey, card.tokenRef, { claims: { iss: 'http://evil.test' } }),
    'no liveness': await signAssertion(card.facekey, card.tokenRef, { claims: { liveness: undefined } }),
    'fractional amount': await signAssertion(card.facekey, card.tokenRef, { claims: { amount: 12.5 } }),
    'lifetime over 120 s': await signAssertion(card.facekey, card.tokenRef, {
      claims: { exp: Math.floor(Date.now() / 1000) + 3600 },
    }),
    'iat in the future': await signAssertion(card.facekey, card.tokenRef, { now: new Date(Date.now() + 600_000) }),
  };
  for (const [name, assertion] of Object.entries(cases)) {
    const result = await authorize(assertion);
    assert.equal(result.decision, 'declined', name);
    assert.deepEqual(result.reasons, ['assertion_invalid'], name);
  }
});

test('assertion_expired: past its exp', async () => {
  const pastExp = await authorize(await signAssertion(card.facekey, card.tokenRef, { now: new Date(Date.now() - 10 * 60_000) }));
  assert.equal(pastExp.decision, 'declined');
  assert.deepEqual(pastExp.reasons, ['assertion_expired']);
  // Just past exp, beyond the few seconds of clock skew tolerated.
  const iat = Math.floor(Date.now() / 1000) - 130;
  const justExpired = await authorize(await signAssertion(card.facekey, card.tokenRef, { claims: { iat, exp: iat + 120 } }));
  assert.deepEqual(justExpired.reasons, ['assertion_expired']);
  // Expiry does not hide other faults: the claims were still signed by card.facekey.
  const both = await authorize(await signAssertion(card.facekey, card.tokenRef, { now: new Date(Date.now() - 10 * 60_000) }), {
    amount: 1,
  });
  assert.deepEqual(both.reasons, ['assertion_expired', 'amount_mismatch']);
});

test('amount, currency and merchant must match the signed claims', async () => {
  const cases: [Record<string, unknown>, string[]][] = [
    [{ amount: 1251 }, ['amount_mismatch']],
    [{ currency: 'USD' }, ['currency_mismatch']],
    [{ merchant: 'tenant_other' }, ['merchant_mismatch']],
    [{ merchantRef: 'order-43' }, ['merchant_mismatch']],
    [{ amount: 99, currency: 'GBP' }, ['amount_mismatch', 'currency_mismatch']],
  ];
  for (const [overrides, reasons] of cases) {
    const result = await authorize(await signAssertion(card.facekey, card.tokenRef), overrides);
    assert.equal(result.decision, 'declined', JSON.stringify(overrides));
    assert.deepEqual(result.reasons, reasons, JSON.stringify(overrides));
  }
});

test('token_unknown and token_inactive', async () => {
  const unknown = await authorize(await signAssertion(card.facekey, 'tok_never_minted'));
  assert.deepEqual(unknown.reasons, ['token_unknown']);
  assert.equal(unknown.decision, 'declined');

  const doomed = await card.sim.tokenize();
  assert.equal((await card.sim.request('DELETE', `/v1/tokens/${doomed}`)).status, 204);
  const inactive = await authorize(await signAssertion(card.facekey, doomed));
  assert.equal(inactive.decision, 'declined');
  assert.deepEqual(inactive.reasons, ['token_inactive']);
});

test('liveness_not_passed', async () => {
  const result = await authorize(
    await signAssertion(card.facekey, card.tokenRef, { claims: { liveness: { method: 'burst', passed: false } } }),
  );
  assert.equal(result.decision, 'declined');
  assert.deepEqual(result.reasons, ['liveness_not_passed']);
});

test('insufficient_funds above the per-authorization card limit, approved at it', async () => {
  const over = await signAssertion(card.facekey, card.tokenRef, { claims: { amount: 100_001 } });
  const declined = await authorize(over, { amount: 100_001 });
  assert.equal(declined.decision, 'declined');
  assert.deepEqual(declined.reasons, ['insufficient_funds']);
  const at = await authorize(await signAssertion(card.facekey, card.tokenRef, { claims: { amount: 100_000 } }), { amount: 100_000 });
  assert.equal(at.decision, 'approved');
});

test('card_expired when the card lapses after it was tokenized', async () => {
  const local = await startTestSimulator({ keys: localKeys(card.facekey) });
  try {
    local.setNow(new Date('2030-01-10T00:00:00Z'));
    const expiring = await local.tokenize({ expiryMonth: 1, expiryYear: 2030 });
    const inMonth = await local.post(
      '/v1/authorizations',
      matchingRequest(await signAssertion(card.facekey, expiring, { now: new Date('2030-01-10T00:00:00Z') })),
    );
    assert.equal(inMonth.json.decision, 'approved');
    const later = new Date('2030-02-01T00:00:30Z');
    local.setNow(later);
    const expired = await local.post('/v1/authorizations', matchingRequest(await signAssertion(card.facekey, expiring, { now: later })));
    assert.equal(expired.json.decision, 'declined');
    assert.deepEqual(expired.json.reasons, ['card_expired']);
  } finally {
    await local.close();
  }
});

test('every decline is recorded and readable with its reasons', async () => {
  const response = await card.sim.post(
    '/v1/authorizations',
    matchingRequest(await signAssertion(card.facekey, card.tokenRef), { currency: 'USD' }),
  );
  const stored = await card.sim.request('GET', `/v1/authorizations/${response.json.authorizationId}`);
  assert.equal(stored.status, 200);
  assert.equal(stored.json.decision, 'declined');
  assert.deepEqual(stored.json.reasons, ['currency_mismatch']);
  assert.equal(stored.json.currency, 'USD', 'the request as presented is what was decided on');

  const garbage = await card.sim.post('/v1/authorizations', matchingRequest('garbage'));
  const storedGarbage = await card.sim.request('GET', `/v1/authorizations/${garbage.json.authorizationId}`);
  assert.deepEqual(storedGarbage.json.reasons, ['assertion_invalid']);
  assert.equal(storedGarbage.json.tokenRef, null, 'nothing from an unverified assertion is trusted');

  const missing = await card.sim.request('GET', '/v1/authorizations/auth_missing');
  assert.equal(missing.status, 404);
  assert.equal(missing.json.code, 'authorization_not_found');
});

test('a malformed request is a 400 problem, not a decision', async () => {
  const assertion = await signAssertion(card.facekey, card.tokenRef);
  for (const body of [
    { ...matchingRequest(assertion), extra: true },
    matchingRequest(assertion, { amount: 'lots' }),
    matchingRequest(assertion, { amount: 0 }),
    matchingRequest(assertion, { currency: 'eur' }),
    matchingRequest(assertion, { assertion: '' }),
    { assertion },
  ]) {
    const response = await card.sim.post('/v1/authorizations', body);
    assert.equal(response.status, 400, JSON.stringify(body));
    assert.equal(response.contentType, 'application/problem+json; charset=utf-8');
    assert.equal(response.json.code, 'invalid_argument');
  }
  // The assertion was never decided on, so it is still good.
  assert.equal((await authorize(assertion)).decision, 'approved');
});

test('health answers', async () => {
  const response = await card.sim.request('GET', '/health');
  assert.equal(response.status, 200);
  assert.deepEqual(response.json, { status: 'ok' });
});
