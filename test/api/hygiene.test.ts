/** Request hygiene (issue 12, item 4): logs, query credentials, strict JSON, metrics, audit, one key per terminal, problem+json everywhere. */
import test from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { buildApp } from '../../src/api/build-app.js';
import { generateTerminalKeyPair } from '../../src/devices/terminal-client.js';
import { OpenApiContract } from '../kit/openapi-contract-check.js';
import { startTestApp } from '../kit/test-app.js';

test('request hygiene', async (t) => {
  const logLines: string[] = [];
  const metricsToken = 'm-' + randomBytes(16).toString('hex');
  const { app, platform, operatorKey } = await startTestApp(t, 'hygiene', {
    metricsToken,
    bodyLimit: 4096,
    logger: { level: 'info', stream: { write: (line: string) => void logLines.push(line) } },
  });
  const operator = await operatorKey();
  const contract = new OpenApiContract(JSON.parse((await app.inject({ method: 'GET', url: '/openapi.json' })).body));
  const call = async (method: 'GET' | 'POST' | 'DELETE', url: string, token?: string, payload?: string, headers: Record<string, string> = {}) => {
    const r = await app.inject({
      method,
      url,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(payload !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(payload !== undefined ? { payload } : {}),
    });
    // Every answer is checked against the published contract (/metrics is deliberately not in it).
    if (!url.startsWith('/metrics')) {
      const contentType = r.headers['content-type'] as string | undefined;
      assert.deepEqual(contract.check({ method, url, status: r.statusCode, contentType, body: r.body }), []);
    }
    return { status: r.statusCode, body: r.body ? JSON.parse(r.body) : undefined, type: String(r.headers['content-type']) };
  };
  const isProblem = (r: { status: number; body: any; type: string }, status: number) => {
    assert.equal(r.status, status, JSON.stringify(r.body));
    assert.match(r.type, /^application\/problem\+json/);
    assert.equal(r.body.status, status);
    assert.equal(typeof r.body.code, 'string');
  };

  await t.test('the access log carries no query string', async () => {
    await call('GET', '/health?session=very-private-value-123');
    const text = logLines.join('');
    assert.match(text, /\/health\?\[redacted\]/, 'the request line is logged, its query replaced');
    assert.doesNotMatch(text, /very-private-value-123/);
  });

  await t.test('credentials in the query string are refused with 400 problem+json', async () => {
    for (const query of [`api_key=${operator}`, 'token=abc', 'access_token=abc', `q=${operator}`]) {
      const r = await call('GET', `/v1/subjects?${query}`);
      isProblem(r, 400);
      assert.match(r.body.detail, /query string/);
    }
    assert.doesNotMatch(logLines.join(''), new RegExp(operator.slice(3, 20)), 'the key never reaches the log');
  });

  await t.test('JSON bodies are not coerced: wrong types are 400 with a clear message', async () => {
    const name = await call('POST', '/v1/tenants', operator, '{"name":123}');
    isProblem(name, 400);
    assert.match(name.body.detail, /name.*string/);
    const tenant = (await call('POST', '/v1/tenants', operator, '{"name":"shop"}')).body;
    const scopes = await call('POST', `/v1/tenants/${tenant.id}/api-keys`, operator, '{"scopes":"admin"}');
    isProblem(scopes, 400);
    assert.match(scopes.body.detail, /scopes.*array/);
    // Query strings are text on the wire and still coerced to their declared types.
    const admin = (await call('POST', `/v1/tenants/${tenant.id}/api-keys`, operator, '{"scopes":["admin"]}')).body.token;
    assert.equal((await call('GET', '/v1/subjects?limit=5', admin)).status, 200);
  });

  await t.test('/metrics needs its token', async () => {
    isProblem(await call('GET', '/metrics'), 401);
    isProblem(await call('GET', '/metrics', 'wrong-token-wrong-token'), 401);
    const open = await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${metricsToken}` } });
    assert.equal(open.statusCode, 200);
    assert.match(open.body, /facekey_http_request_seconds/);
    const closed = await buildApp({ platform, readiness: async () => ({}) });
    try {
      const r = await closed.inject({ method: 'GET', url: '/metrics' });
      assert.equal(r.statusCode, 404, 'without a configured token /metrics does not exist');
    } finally {
      await closed.close();
    }
  });

  await t.test('tenant creation, key issue and key revocation are in the audit chain', async () => {
    const before = (await platform.audit.head()).seq;
    const tenant = (await call('POST', '/v1/tenants', operator, '{"name":"audited"}')).body;
    const issued = (await call('POST', `/v1/tenants/${tenant.id}/api-keys`, operator, '{"scopes":["enroll"]}')).body;
    assert.equal((await call('DELETE', `/v1/api-keys/${issued.keyId}`, operator)).status, 204);
    const entries = await platform.audit.entries({ afterSeq: before, limit: 10 });
    assert.deepEqual(
      entries.map((e) => [e.type, e.tenantId]),
      [
        ['tenant.created', tenant.id],
        ['api_key.issued', tenant.id],
        ['api_key.revoked', tenant.id],
      ],
    );
    assert.equal(entries[1]!.data.keyId, issued.keyId);
    assert.doesNotMatch(JSON.stringify(entries), new RegExp(issued.token.slice(-20)), 'no secret in the audit');
  });

  await t.test('a terminal public key can be registered once, across tenants', async () => {
    const keys = generateTerminalKeyPair();
    const admins: string[] = [];
    for (const name of ['a', 'b']) {
      const tenant = (await call('POST', '/v1/tenants', operator, JSON.stringify({ name }))).body;
      admins.push((await call('POST', `/v1/tenants/${tenant.id}/api-keys`, operator, '{"scopes":["admin"]}')).body.token);
    }
    const body = JSON.stringify({ label: 'till', kind: 'checkout', publicKey: keys.publicJwk });
    assert.equal((await call('POST', '/v1/terminals', admins[0], body)).status, 201);
    isProblem(await call('POST', '/v1/terminals', admins[1], body), 409);
    isProblem(await call('POST', '/v1/terminals', admins[0], body), 409);
  });

  await t.test('every error answer is problem+json', async () => {
    isProblem(await call('GET', '/v1/nowhere'), 404);
    isProblem(await call('GET', '/v1/subjects/%E0%A4%A'), 400); // FST_ERR_BAD_URL
    isProblem(await call('POST', '/v1/tenants', operator, JSON.stringify({ name: 'x'.repeat(5000) })), 413);
    isProblem(await call('POST', '/v1/tenants', operator, '<name>x</name>', { 'content-type': 'application/xml' }), 415);
    isProblem(await call('POST', '/v1/tenants', operator, '{"name":'), 400);
    // 431 comes from Node's HTTP parser, before Fastify: only a real socket shows it.
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = new URL(address);
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(Number(port), '127.0.0.1', () => socket.write(`GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`));
      let text = '';
      socket.on('data', (chunk) => (text += chunk.toString()));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    assert.match(raw, /^HTTP\/1\.1 431 /);
    assert.match(raw, /content-type: application\/problem\+json/i);
    assert.equal(JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)).status, 431);
  });
});
