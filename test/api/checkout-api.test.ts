/** The checkout route in process: only signed checkout terminals of an active registration may pay. */
import test from 'node:test';
import assert from 'node:assert/strict';
import { jsonInject, registerTerminal, signedInject, startTestApp, tenantWithAdmin, type TestTerminal } from '../kit/test-app.js';

test('checkout HTTP route: signatures, device kinds, revocation, JWKS', async (t) => {
  const { app, platform, operatorKey } = await startTestApp(t, 'checkout-api');
  const operator = await operatorKey();
  const inject = jsonInject(app);
  const { tenant, admin } = await tenantWithAdmin(inject, operator);
  const register = (kind: string) => registerTerminal(inject, admin, kind);
  const signedRequest = signedInject(inject);
  const signed = (terminal: TestTerminal, body: unknown, url = '/v1/checkout') => signedRequest(terminal, 'POST', url, body);
  const order = { amount: 100, currency: 'EUR', merchantRef: 'x', template: Buffer.from('not a template').toString('base64') };

  await t.test('an unsigned request is refused with signature_missing, an API key is no substitute', async () => {
    const r = await inject('POST', '/v1/checkout', admin, order);
    assert.equal(r.status, 401);
    assert.equal(r.body.code, 'signature_missing');
  });

  await t.test('a signed checkout terminal reaches the checkout service; bad probes are stable problems', async () => {
    const till = await register('checkout');
    const r = await signed(till, order);
    assert.equal(r.body.code, 'invalid_template', JSON.stringify(r.body));
    const both = await signed(till, { ...order, image: order.template });
    assert.equal(both.body.code, 'invalid_argument');
    const listed = (await inject('GET', '/v1/terminals', admin)).body.items.find((x: { id: string }) => x.id === till.id);
    assert.ok(listed.lastSeenAt !== null && Date.now() - Date.parse(listed.lastSeenAt) < 60_000, 'the console sees when it last signed');
  });

  await t.test('an enrollment kiosk cannot take payments, and a revoked terminal is refused', async () => {
    const kiosk = await register('enrollment_kiosk');
    assert.equal((await signed(kiosk, order)).body.code, 'forbidden');
    const till = await register('checkout');
    assert.equal((await inject('DELETE', `/v1/terminals/${till.id}`, admin)).status, 204);
    const revoked = await signed(till, order);
    assert.deepEqual([revoked.status, revoked.body.code], [403, 'device_revoked']);
  });

  await t.test('a tenant admin sets its own risk policy within the platform bounds; checkout reads it at once', async () => {
    const defaults = await inject('GET', '/v1/risk-policy', admin);
    assert.equal(defaults.body.riskBudget, 1e-3);
    const set = await inject('PUT', '/v1/risk-policy', admin, { riskBudget: 1e-4, faceOnlyAmountLimit: 2500 });
    assert.equal(set.status, 200, JSON.stringify(set.body));
    assert.deepEqual([set.body.riskBudget, set.body.faceOnlyAmountLimit, set.body.maxSubjectFailures], [1e-4, 2500, 5]);
    assert.deepEqual(await platform.riskPolicies.forTenant(tenant.id), set.body);
    const loose = await inject('PUT', '/v1/risk-policy', admin, { targetFmr: 1e-2 });
    assert.deepEqual([loose.status, loose.body.code], [400, 'invalid_argument']);
    const other = (await inject('POST', '/v1/tenants', operator, { name: 'other shop' })).body;
    assert.equal((await platform.riskPolicies.forTenant(other.id)).riskBudget, 1e-3, "one tenant's policy never touches another's");
  });

  await t.test('a signed terminal starts a liveness session: a random challenge, bound to it, expiring within 3 minutes', async () => {
    const till = await register('checkout');
    const before = Date.now();
    const session = await signed(till, {}, '/v1/liveness-sessions');
    assert.equal(session.status, 201, JSON.stringify(session.body));
    assert.match(session.body.sessionId, /^ls_/);
    assert.ok(session.body.challenge.length >= 1);
    for (const action of session.body.challenge) assert.ok(['turn_left', 'turn_right', 'look_up', 'look_down', 'blink'].includes(action));
    const lifetime = new Date(session.body.expiresAt).getTime() - before;
    assert.ok(lifetime > 0 && lifetime <= 180_000, `expires in ${lifetime} ms`);

    assert.equal((await inject('POST', '/v1/liveness-sessions', admin, {})).body.code, 'signature_missing', 'an API key is no substitute');
    const scanner = await register('temperature_scanner');
    assert.equal((await signed(scanner, {}, '/v1/liveness-sessions')).body.code, 'forbidden');
    const kiosk = await register('enrollment_kiosk');
    assert.equal((await signed(kiosk, {}, '/v1/liveness-sessions')).status, 201, 'a kiosk records bursts too');

    // Another terminal's session is unknown to this one: refused before any frame is looked at.
    const other = await register('checkout');
    const frames = [1, 2, 3].map((i) => Buffer.from(`frame ${i}`).toString('base64'));
    const stolen = await signed(other, {
      amount: 100,
      currency: 'EUR',
      merchantRef: 'x',
      frames,
      livenessSessionId: session.body.sessionId,
    });
    assert.equal(stolen.status, 200, JSON.stringify(stolen.body));
    assert.deepEqual([stolen.body.outcome, stolen.body.reasons], ['declined', ['liveness_session_unknown']]);
    const withImage = await signed(till, { ...order, template: undefined, image: frames[0], livenessSessionId: session.body.sessionId });
    assert.deepEqual([withImage.status, withImage.body.code], [400, 'invalid_argument'], 'a session is answered with frames');
  });

  await t.test('the tenant may allow sessionless face-only approval; only true or false is accepted', async () => {
    const set = await inject('PUT', '/v1/risk-policy', admin, { allowSessionlessLiveness: true });
    assert.equal(set.status, 200, JSON.stringify(set.body));
    assert.equal(set.body.allowSessionlessLiveness, true);
    assert.equal((await platform.riskPolicies.forTenant(tenant.id)).allowSessionlessLiveness, true);
    const wrong = await inject('PUT', '/v1/risk-policy', admin, { allowSessionlessLiveness: 1 });
    assert.equal(wrong.status, 400);
    await assert.rejects(
      platform.riskPolicies.set(tenant.id, { allowSessionlessLiveness: 'yes' as unknown as boolean }, 'key:x'),
      /true or false/,
    );
    const reset = await inject('PUT', '/v1/risk-policy', admin, {});
    assert.equal(reset.body.allowSessionlessLiveness, false, 'the default requires a session');
  });

  await t.test('the JWKS is public and holds the ES256 signing key', async () => {
    const jwks = await inject('GET', '/.well-known/jwks.json');
    assert.equal(jwks.status, 200);
    assert.deepEqual(
      jwks.body.keys.map((k: { kty: string; crv: string; alg: string }) => [k.kty, k.crv, k.alg]),
      [['EC', 'P-256', 'ES256']],
    );
    assert.equal('d' in jwks.body.keys[0], false, 'never the private part');
  });
});
