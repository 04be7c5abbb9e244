import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance, type InjectOptions } from 'fastify';
import { sendProblem, toProblem } from '../problem-details.js';
import { issueApiKey, type ApiKeyScope } from '../../auth/api-key.js';
import { SqliteDatabase } from '../../store/sql/sqlite-database.js';
import { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import { migrateDevices } from '../../devices/device-migrations.js';
import { registerRawBody, terminalAuthenticator } from '../fastify-terminal-auth.js';
import { NonceStore } from '../../devices/nonce-store.js';
import { generateTerminalKeyPair, signedFetch, signTerminalRequest, type TerminalKeyPair } from '../../devices/terminal-client.js';
import { TerminalRegistry, type Terminal } from '../../devices/terminal-registry.js';
import { terminalRoutes } from './terminal-routes.js';

const HOST = 'api.facekey.test';

describe('terminal routes and signed terminal requests over Fastify', () => {
  let dir: string;
  let store: SqliteStore;
  let app: FastifyInstance;
  let adminA: string;
  let adminB: string;
  let enrollA: string;

  async function tenantKey(tenantId: string, scopes: ApiKeyScope[]): Promise<string> {
    const key = issueApiKey();
    await store.createApiKey({ tenantId, scopes, keyId: key.keyId, secretHash: key.secretHash });
    return key.token;
  }

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'facekey-devices-'));
    store = await SqliteStore.open({ path: path.join(dir, 'facekey.sqlite'), masterKey: randomBytes(32) });
    // The production wiring: domain stores share the biometric store's one SQLite connection.
    const db = new SqliteDatabase(store.connection);
    await migrateDevices(db);
    const registry = new TerminalRegistry(db);
    const nonces = new NonceStore(db);
    const tenantA = await store.createTenant({ name: 'Shop A' });
    const tenantB = await store.createTenant({ name: 'Shop B' });
    adminA = await tenantKey(tenantA.id, ['admin']);
    adminB = await tenantKey(tenantB.id, ['admin']);
    enrollA = await tenantKey(tenantA.id, ['enroll']);

    // The same validation options as buildApp, so unknown fields are refused here as in production.
    app = Fastify({ ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true } } });
    app.setErrorHandler((error, request, reply) => sendProblem(reply, request, toProblem(error)));
    await app.register(terminalRoutes(store, registry), { prefix: '/v1' });
    await app.register(async (scope) => {
      registerRawBody(scope);
      const authenticateTerminal = terminalAuthenticator(registry, nonces);
      scope.post('/v1/test/checkout', async (request) => {
        const terminal = await authenticateTerminal(request);
        return { terminalId: terminal.id, tenantId: terminal.tenantId, body: request.body };
      });
      scope.get('/v1/test/whoami', async (request) => ({ terminalId: (await authenticateTerminal(request)).id }));
    });
    await app.ready();
  });

  after(async () => {
    await app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const admin = (token: string, options: InjectOptions) =>
    app.inject({ ...options, headers: { ...options.headers, authorization: `Bearer ${token}` } });

  async function registerTerminal(token = adminA, kind = 'checkout'): Promise<{ terminal: Terminal; keys: TerminalKeyPair }> {
    const keys = generateTerminalKeyPair();
    const response = await admin(token, {
      method: 'POST',
      url: '/v1/terminals',
      payload: { label: 'Till', kind, publicKey: keys.publicJwk },
    });
    assert.equal(response.statusCode, 201, response.body);
    return { terminal: response.json<Terminal>(), keys };
  }

  /** A terminal request over app.inject, signed as the terminal would sign it for https://HOST. */
  function injectSigned(
    { terminal, keys }: { terminal: Terminal; keys: TerminalKeyPair },
    { method, url, body, contentType = 'application/json' }: { method: 'GET' | 'POST'; url: string; body?: string; contentType?: string },
  ) {
    const headers: Record<string, string> = { host: HOST, ...(body === undefined ? {} : { 'content-type': contentType }) };
    const signed = signTerminalRequest(
      { method, url: `https://${HOST}${url}`, headers, body },
      { terminalId: terminal.id, privateKey: keys.privateKey },
    );
    return { method, url, headers: { ...headers, ...signed }, ...(body === undefined ? {} : { payload: body }) } satisfies InjectOptions;
  }

  describe('POST/GET/DELETE /v1/terminals', () => {
    it('registers a terminal for the admin key’s tenant', async () => {
      const { terminal, keys } = await registerTerminal();
      assert.equal(terminal.kind, 'checkout');
      assert.equal(terminal.label, 'Till');
      assert.equal(terminal.revokedAt, null);
      assert.deepEqual(terminal.publicKeyJwk, keys.publicJwk);
    });

    it('refuses an invalid key, a private key, an unknown field and an unknown kind with 400 invalid_argument', async () => {
      const { publicJwk } = generateTerminalKeyPair();
      const bodies = [
        { label: 'Till', kind: 'checkout', publicKey: { kty: 'OKP', crv: 'Ed25519', x: 'AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' } },
        { label: 'Till', kind: 'checkout', publicKey: { kty: 'EC', crv: 'P-256', x: publicJwk.x } },
        { label: 'Till', kind: 'checkout', publicKey: { ...publicJwk, d: publicJwk.x } },
        { label: 'Till', kind: 'checkout', publicKey: publicJwk, tenantId: 'someone-else' },
        { label: 'Till', kind: 'vending', publicKey: publicJwk },
      ];
      for (const payload of bodies) {
        const response = await admin(adminA, { method: 'POST', url: '/v1/terminals', payload });
        assert.equal(response.statusCode, 400, JSON.stringify(payload));
        assert.equal(response.json().code, 'invalid_argument');
      }
    });

    it('needs an admin key: 403 for a key without the scope, 401 without a key', async () => {
      const payload = { label: 'Till', kind: 'checkout', publicKey: generateTerminalKeyPair().publicJwk };
      assert.equal((await admin(enrollA, { method: 'POST', url: '/v1/terminals', payload })).statusCode, 403);
      assert.equal((await app.inject({ method: 'POST', url: '/v1/terminals', payload })).statusCode, 401);
      assert.equal((await admin(enrollA, { method: 'GET', url: '/v1/terminals' })).statusCode, 403);
    });

    it("lists only the tenant's own terminals", async () => {
      const own = await registerTerminal(adminA, 'enrollment_kiosk');
      const other = await registerTerminal(adminB);
      const ids = (await admin(adminA, { method: 'GET', url: '/v1/terminals' })).json<{ items: Terminal[] }>().items.map((t) => t.id);
      assert.ok(ids.includes(own.terminal.id));
      assert.ok(!ids.includes(other.terminal.id));
    });

    it("revokes with 204, and answers 404 for another tenant's terminal", async () => {
      const { terminal } = await registerTerminal();
      assert.equal((await admin(adminB, { method: 'DELETE', url: `/v1/terminals/${terminal.id}` })).statusCode, 404);
      assert.equal((await admin(adminA, { method: 'DELETE', url: `/v1/terminals/${terminal.id}` })).statusCode, 204);
      const listed = (await admin(adminA, { method: 'GET', url: '/v1/terminals' })).json<{ items: Terminal[] }>().items;
      assert.ok(listed.find((t) => t.id === terminal.id)?.revokedAt);
    });
  });

  describe('a route guarded by registerRawBody + terminalAuthenticator', () => {
    it('accepts a signed request and hands the route the terminal and the parsed body', async () => {
      const device = await registerTerminal();
      const response = await app.inject(
        injectSigned(device, { method: 'POST', url: '/v1/test/checkout?lane=3', body: '{"amount": 1299}' }),
      );
      assert.equal(response.statusCode, 200, response.body);
      assert.deepEqual(response.json(), { terminalId: device.terminal.id, tenantId: device.terminal.tenantId, body: { amount: 1299 } });
    });

    it('accepts a signed bodiless GET', async () => {
      const device = await registerTerminal();
      const response = await app.inject(injectSigned(device, { method: 'GET', url: '/v1/test/whoami' }));
      assert.equal(response.statusCode, 200, response.body);
      assert.equal(response.json().terminalId, device.terminal.id);
    });

    it('refuses the problems with their own codes and statuses', async () => {
      const device = await registerTerminal();
      const expectProblem = async (options: InjectOptions, status: number, code: string) => {
        const response = await app.inject(options);
        assert.equal(response.statusCode, status, response.body);
        assert.equal(response.json().code, code);
        assert.equal(response.headers['content-type'], 'application/problem+json; charset=utf-8');
      };
      const signed = injectSigned(device, { method: 'POST', url: '/v1/test/checkout', body: '{"amount": 1299}' });
      await expectProblem({ ...signed, payload: '{"amount": 9999}' }, 401, 'signature_invalid');
      await expectProblem({ ...signed, url: '/v1/test/checkout?lane=4' }, 401, 'signature_invalid');
      await expectProblem({ ...signed, headers: { ...signed.headers, host: 'evil.test' } }, 401, 'signature_invalid');
      await expectProblem(
        { method: 'POST', url: '/v1/test/checkout', headers: { host: HOST }, payload: { amount: 1 } },
        401,
        'signature_missing',
      );
      // The refusals above did not burn the nonce: the genuine request still passes, once.
      assert.equal((await app.inject(signed)).statusCode, 200);
      await expectProblem(signed, 401, 'replay_detected');

      const stranger = { terminal: { ...device.terminal, id: '00000000-0000-4000-8000-000000000000' }, keys: device.keys };
      await expectProblem(injectSigned(stranger, { method: 'GET', url: '/v1/test/whoami' }), 401, 'device_unknown');
      await admin(adminA, { method: 'DELETE', url: `/v1/terminals/${device.terminal.id}` });
      await expectProblem(injectSigned(device, { method: 'GET', url: '/v1/test/whoami' }), 403, 'device_revoked');
    });

    it('refuses invalid and prototype-poisoning JSON with 400 invalid_argument before verifying', async () => {
      const device = await registerTerminal();
      for (const body of ['{"amount": ', '{"__proto__": {"admin": true}}', '{"constructor": {"prototype": {"admin": true}}}']) {
        const response = await app.inject(injectSigned(device, { method: 'POST', url: '/v1/test/checkout', body }));
        assert.equal(response.statusCode, 400, body);
        assert.equal(response.json().code, 'invalid_argument');
      }
    });
  });

  it('signedFetch talks to a listening server end to end', async () => {
    const device = await registerTerminal();
    const address = await app.listen({ host: '127.0.0.1', port: 0 });
    const response = await signedFetch(`${address}/v1/test/checkout?lane=1`, {
      method: 'post',
      json: { amount: 500, note: 'café ☕' },
      terminalId: device.terminal.id,
      privateKey: device.keys.privateKey,
    });
    assert.equal(response.status, 200, await response.clone().text());
    assert.deepEqual(await response.json(), {
      terminalId: device.terminal.id,
      tenantId: device.terminal.tenantId,
      body: { amount: 500, note: 'café ☕' },
    });
  });
});
