/** Rate limits that an attacker cannot aim at someone else (issue 12, item 3). */
import test from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { generateTerminalKeyPair, signTerminalRequest } from '../../src/devices/terminal-client.js';
import { parseApiKey } from '../../src/auth/api-key.js';
import { startTestApp } from '../kit/test-app.js';

const ATTACKER = '203.0.113.7';
const VICTIM = '198.51.100.20';

test('abuse limits: buckets chosen only by verified principals', async (t) => {
  const { app, operatorKey } = await startTestApp(t, 'abuse', {
    rateLimitPerMinute: 40,
    abuseLimits: { addressPerMinute: 10, failedAuthPerMinute: 5 },
  });
  const operator = await operatorKey();
  const inject = async (method: 'GET' | 'POST', url: string, from: string, headers: Record<string, string> = {}, payload?: string) => {
    const r = await app.inject({ method, url, headers, remoteAddress: from, ...(payload ? { payload } : {}) });
    return { status: r.statusCode, body: r.body ? JSON.parse(r.body) : undefined, type: String(r.headers['content-type']) };
  };
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const json = { 'content-type': 'application/json' };

  const tenant = (await inject('POST', '/v1/tenants', VICTIM, { ...bearer(operator), ...json }, JSON.stringify({ name: 'shop' }))).body;
  const admin = (await inject('POST', `/v1/tenants/${tenant.id}/api-keys`, VICTIM, { ...bearer(operator), ...json }, '{"scopes":["admin"]}')).body.token as string;
  const victimKeyId = parseApiKey(admin)!.keyId;

  await t.test("a victim's key id with bogus secrets does not push the real key into 429", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 60; i++) {
      const forged = `fk_${victimKeyId}_${randomBytes(32).toString('base64url').slice(0, 43)}`;
      statuses.push((await inject('GET', '/v1/subjects', ATTACKER, bearer(forged))).status);
    }
    assert.deepEqual(statuses.slice(0, 5), [401, 401, 401, 401, 401]);
    assert.ok(statuses.slice(5).every((s) => s === 429), 'the attacker address is limited after 5 failures');
    const real = await inject('GET', '/v1/subjects', VICTIM, bearer(admin));
    assert.equal(real.status, 200, JSON.stringify(real.body));
  });

  await t.test('rotating random key ids does not escape the per-address failure limit', async () => {
    const from = '203.0.113.8';
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) {
      const made = `fk_${randomBytes(8).toString('hex')}_${randomBytes(32).toString('base64url').slice(0, 43)}`;
      statuses.push((await inject('GET', '/v1/subjects', from, bearer(made))).status);
    }
    assert.equal(statuses.filter((s) => s === 401).length, 5);
    assert.equal(statuses.filter((s) => s === 429).length, 15);
  });

  await t.test('requests without credentials are limited per address, as problem+json with retry-after', async () => {
    const from = '203.0.113.9';
    const statuses: number[] = [];
    let last;
    for (let i = 0; i < 12; i++) {
      last = await inject('GET', '/health', from);
      statuses.push(last.status);
    }
    assert.deepEqual(statuses, [...Array(10).fill(200), 429, 429]);
    assert.equal(last!.body.code, 'rate_limited');
    assert.match(last!.type, /problem\+json/);
    assert.equal((await inject('GET', '/health', '203.0.113.10')).status, 200, 'another address has its own budget');
  });

  await t.test('a verified key has its own budget, and spends it', async () => {
    const issued = await inject('POST', `/v1/tenants/${tenant.id}/api-keys`, VICTIM, { ...bearer(operator), ...json }, '{"scopes":["admin"]}');
    const key = issued.body.token as string;
    const statuses: number[] = [];
    for (let i = 0; i < 42; i++) statuses.push((await inject('GET', '/v1/subjects', `192.0.2.${i}`, bearer(key))).status);
    assert.equal(statuses.filter((s) => s === 200).length, 40, 'many addresses, one key: one budget');
    assert.deepEqual(statuses.slice(40), [429, 429]);
  });

  await t.test("a signed terminal's checkout is not blocked by junk from the same address", async () => {
    const keys = generateTerminalKeyPair();
    const registered = await inject('POST', '/v1/terminals', VICTIM, { ...bearer(admin), ...json }, JSON.stringify({ label: 'till', kind: 'checkout', publicKey: keys.publicJwk }));
    assert.equal(registered.status, 201, JSON.stringify(registered.body));
    const shared = '203.0.113.50'; // one shop NAT: the till and a compromised laptop
    for (let i = 0; i < 15; i++) await inject('GET', '/health', shared);
    for (let i = 0; i < 10; i++) await inject('POST', '/v1/checkout', shared, { ...json, signature: 'sig1=:AAAA:', 'signature-input': 'sig1=()' }, '{}');
    assert.equal((await inject('GET', '/health', shared)).status, 429, 'the junk is limited');
    const body = JSON.stringify({ amount: 100, currency: 'EUR', merchantRef: 'x', template: Buffer.from('not a template').toString('base64') });
    const signature = signTerminalRequest(
      { method: 'POST', url: 'http://terminal.test/v1/checkout', headers: { 'content-type': 'application/json' }, body },
      { terminalId: registered.body.id, privateKey: keys.privateKey },
    );
    const paid = await inject('POST', '/v1/checkout', shared, { ...json, host: 'terminal.test', ...signature }, body);
    assert.notEqual(paid.status, 429);
    assert.equal(paid.body.code, 'invalid_template', 'the signed request reached the checkout service');
  });
});
