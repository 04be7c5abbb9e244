/** The merchant console's server side in process: cookie sessions on every tenant route, its figures, the audit check. */
import test from 'node:test';
import assert from 'node:assert/strict';
import { generateTerminalKeyPair, signTerminalRequest } from '../../src/devices/terminal-client.js';
import { jsonInject, startTestApp } from '../kit/test-app.js';

function cookieOf(setCookie: string | string[] | undefined): string {
  const first = (Array.isArray(setCookie) ? setCookie[0] : setCookie) ?? '';
  return first.split(';')[0]!;
}

test('merchant console: sign-in, cookie on tenant routes, CSRF, revocation, expiry, sign-out, figures', async (t) => {
  const { app, platform, operatorKey } = await startTestApp(t, 'console-api', { abuseLimits: { failedAuthPerMinute: 1000 } });
  const operator = await operatorKey();
  const inject = jsonInject(app);
  const tenant = (await inject('POST', '/v1/tenants', operator, { name: 'shop' })).body;
  const issue = async (scopes: string[]) => (await inject('POST', `/v1/tenants/${tenant.id}/api-keys`, operator, { scopes })).body;
  const admin = await issue(['admin']);

  const signIn = async (apiKey: string) => {
    const r = await app.inject({ method: 'POST', url: '/v1/console/sessions', payload: { apiKey } });
    return {
      status: r.statusCode,
      body: JSON.parse(r.body),
      setCookie: r.headers['set-cookie'],
      cookie: cookieOf(r.headers['set-cookie']),
    };
  };
  const withCookie = (cookie: string, method: 'GET' | 'POST' | 'DELETE', url: string, body?: unknown, extra: Record<string, string> = {}) =>
    inject(method, url, undefined, body, { cookie, ...extra });

  await t.test('sign-in answers the CSRF token and sets an HttpOnly, SameSite=Strict cookie on /v1 for 30 minutes', async () => {
    const session = await signIn(admin.token);
    assert.equal(session.status, 201, JSON.stringify(session.body));
    assert.deepEqual([session.body.tenantId, session.body.scopes], [tenant.id, ['admin']]);
    assert.match(session.body.csrfToken, /^[A-Za-z0-9_-]{43}$/);
    const expiresIn = Date.parse(session.body.expiresAt) - Date.now();
    assert.ok(expiresIn > 29 * 60_000 && expiresIn <= 30 * 60_000, `${expiresIn}`);
    const header = String(session.setCookie);
    assert.match(header, /^fk_console=[A-Za-z0-9_-]{43}; Path=\/v1; Max-Age=1800; HttpOnly; SameSite=Strict$/);
    const stored = await platform.sql.all<{ id_hash: string }>('SELECT id_hash FROM console_sessions');
    assert.ok(!stored.some((row) => row.id_hash.includes(session.cookie.split('=')[1]!)), 'only a hash of the session id is stored');
  });

  await t.test('wrong, revoked and operator keys do not sign in', async () => {
    assert.equal((await signIn('fk_0000000000000000_' + 'a'.repeat(43))).status, 401);
    assert.equal((await signIn('nonsense')).status, 401);
    const operatorSignIn = await signIn(operator);
    assert.deepEqual([operatorSignIn.status, operatorSignIn.body.code], [403, 'forbidden']);
  });

  await t.test('the cookie stands in for the key on tenant routes; writes need the CSRF token', async () => {
    const { cookie, body } = await signIn(admin.token);
    const list = await withCookie(cookie, 'GET', '/v1/terminals');
    assert.equal(list.status, 200, JSON.stringify(list.body));
    const terminal = { label: 'till', kind: 'checkout', publicKey: generateTerminalKeyPair().publicJwk };
    const noToken = await withCookie(cookie, 'POST', '/v1/terminals', terminal);
    assert.deepEqual([noToken.status, noToken.body.code], [403, 'forbidden']);
    const wrongToken = await withCookie(cookie, 'POST', '/v1/terminals', terminal, { 'x-csrf-token': 'x'.repeat(43) });
    assert.equal(wrongToken.status, 403);
    const created = await withCookie(cookie, 'POST', '/v1/terminals', terminal, { 'x-csrf-token': body.csrfToken });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal((await withCookie('fk_console=forged', 'GET', '/v1/terminals')).status, 401);
    assert.equal((await withCookie('fk_console=', 'GET', '/v1/terminals')).status, 401, 'an empty cookie is no credential');
  });

  await t.test("a session has its key's scopes, no more", async () => {
    const enrollOnly = await issue(['enroll']);
    const { cookie } = await signIn(enrollOnly.token);
    assert.deepEqual((await withCookie(cookie, 'GET', '/v1/terminals')).status, 403);
  });

  await t.test('revoking the key ends its sessions', async () => {
    const key = await issue(['admin']);
    const { cookie } = await signIn(key.token);
    assert.equal((await withCookie(cookie, 'GET', '/v1/terminals')).status, 200);
    assert.equal((await inject('DELETE', `/v1/api-keys/${key.keyId}`, operator)).status, 204);
    assert.equal((await withCookie(cookie, 'GET', '/v1/terminals')).status, 401);
  });

  await t.test('an expired session is refused', async () => {
    const { cookie } = await signIn(admin.token);
    await platform.sql.run('UPDATE console_sessions SET expires_at = ?', [new Date(Date.now() - 1000).toISOString()]);
    const r = await withCookie(cookie, 'GET', '/v1/terminals');
    assert.deepEqual([r.status, r.body.code], [401, 'unauthorized']);
  });

  await t.test('sign-out needs the CSRF token, ends the session and clears the cookie', async () => {
    const { cookie, body } = await signIn(admin.token);
    assert.equal((await withCookie(cookie, 'DELETE', '/v1/console/sessions/current')).status, 403);
    const out = await app.inject({
      method: 'DELETE',
      url: '/v1/console/sessions/current',
      headers: { cookie, 'x-csrf-token': body.csrfToken },
    });
    assert.equal(out.statusCode, 204);
    assert.match(String(out.headers['set-cookie']), /^fk_console=; Path=\/v1; Max-Age=0/);
    assert.equal((await withCookie(cookie, 'GET', '/v1/terminals')).status, 401);
    assert.equal((await inject('DELETE', '/v1/console/sessions/current')).status, 401, 'nothing to end without a session');
  });

  await t.test('an API key keeps working exactly as before, and wins over a cookie', async () => {
    assert.equal((await inject('GET', '/v1/terminals', admin.token)).status, 200);
    assert.equal((await inject('GET', '/v1/terminals', admin.token, undefined, { cookie: 'fk_console=forged' })).status, 200);
    assert.equal(
      (await inject('POST', '/v1/terminals', admin.token, { label: 'x', kind: 'checkout', publicKey: generateTerminalKeyPair().publicJwk }))
        .status,
      201,
      'no CSRF token for a key',
    );
  });

  await t.test('overview counts subjects, terminals and checkouts, with decline reasons per day', async () => {
    const keys = generateTerminalKeyPair();
    const till = (await inject('POST', '/v1/terminals', admin.token, { label: 'till 2', kind: 'checkout', publicKey: keys.publicJwk }))
      .body;
    const frames = [1, 2, 3].map((i) => Buffer.from(`frame ${i}`).toString('base64'));
    const json = JSON.stringify({ amount: 100, currency: 'EUR', merchantRef: 'x', frames, livenessSessionId: 'ls_unknown' });
    const signature = signTerminalRequest(
      { method: 'POST', url: 'http://terminal.test/v1/checkout', headers: { 'content-type': 'application/json' }, body: json },
      { terminalId: till.id, privateKey: keys.privateKey },
    );
    const declined = await inject('POST', '/v1/checkout', undefined, json, {
      'content-type': 'application/json',
      host: 'terminal.test',
      ...signature,
    });
    assert.equal(declined.body.outcome, 'declined', JSON.stringify(declined.body));
    // An approved and a PIN-path decision need real faces; their audit entries are what the overview reads.
    for (const outcome of ['approved', 'approved', 'second_factor_required'])
      await platform.audit.append({ type: 'checkout', tenantId: tenant.id, actor: `terminal:${till.id}`, data: { outcome, reasons: [] } });
    const other = (await inject('POST', '/v1/tenants', operator, { name: 'other' })).body;
    await platform.audit.append({ type: 'checkout', tenantId: other.id, actor: 'terminal:x', data: { outcome: 'approved', reasons: [] } });

    const r = await inject('GET', '/v1/console/overview?days=14', admin.token);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body.checkouts, { total: 4, approved: 2, declined: 1, secondFactorRequired: 1 });
    assert.equal(r.body.approvalRate, 0.5);
    assert.deepEqual(r.body.declineReasons, [{ day: new Date().toISOString().slice(0, 10), reason: 'liveness_session_unknown', count: 1 }]);
    assert.deepEqual([r.body.gallerySize, r.body.subjects, r.body.days], [0, 0, 14]);
    assert.equal(r.body.terminals, 3, 'the terminals not revoked');
    assert.equal((await inject('GET', '/v1/console/overview?days=0', admin.token)).status, 400);
    assert.equal((await inject('GET', '/v1/console/overview', (await issue(['verify'])).token)).status, 403, 'admin only');
  });

  await t.test("accuracy: the tenant's engine, its calibrated thresholds and DET points", async () => {
    const r = await inject('GET', '/v1/console/accuracy', admin.token);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.engine.id, platform.tenantEngines.platformDefault.id);
    assert.ok(r.body.engine.provenance.terms);
    assert.ok(r.body.thresholds.length >= 1);
    for (const t of r.body.thresholds) assert.deepEqual(Object.keys(t).sort(), ['method', 'targetFmr', 'threshold']);
    assert.ok(Array.isArray(r.body.det));
    for (const p of r.body.det) assert.ok(p.fmr >= 0 && p.fmr <= 1 && p.fnmr >= 0 && p.fnmr <= 1);
  });

  await t.test('audit: verified now; a tampered entry is found', async () => {
    const ok = await inject('GET', '/v1/console/audit', admin.token);
    assert.equal(ok.status, 200);
    assert.equal(ok.body.ok, true);
    assert.ok(ok.body.entries > 5);
    assert.match(ok.body.head, /^[0-9a-f]{64}$/);
    await platform.sql.run(`UPDATE audit_entries SET data = '{"outcome":"approved"}' WHERE seq = 3`);
    const bad = await inject('GET', '/v1/console/audit', admin.token);
    assert.equal(bad.body.ok, false);
    assert.equal(bad.body.entries, 2);
    assert.deepEqual([bad.body.firstBadEntry.seq, bad.body.firstBadEntry.problem], [3, 'altered']);
    await platform.sql.run(`UPDATE audit_entries SET data = 'not json' WHERE seq = 2`);
    assert.deepEqual([(await inject('GET', '/v1/console/audit', admin.token)).body.firstBadEntry.problem], ['malformed']);
  });
});

test('failed cookie authentications count against the address like failed keys', async (t) => {
  const { app } = await startTestApp(t, 'console-abuse', { abuseLimits: { failedAuthPerMinute: 2 } });
  const statuses: number[] = [];
  for (let i = 0; i < 3; i++)
    statuses.push((await app.inject({ method: 'GET', url: '/v1/terminals', headers: { cookie: `fk_console=forged${i}` } })).statusCode);
  assert.deepEqual(statuses, [401, 401, 429]);
});
