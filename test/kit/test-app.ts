import type { TestContext } from 'node:test';
import fs from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { buildApp, type AppDependencies } from '../../src/api/build-app.js';
import type { Platform } from '../../src/server/compose-platform.js';
import type { FaceService } from '../../src/pipeline/face-service.js';
import { ensureOperatorKey } from '../../src/server/operator-key.js';
import type { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { openTestPlatform, type TestPlatformOptions } from './test-platform.js';
import { noFaceService } from './no-face-service.js';
import { generateTerminalKeyPair, signTerminalRequest } from '../../src/devices/terminal-client.js';

export interface TestApp {
  /** The fresh folder the store and the operator key file live in; removed after the test. */
  readonly dir: string;
  readonly store: SqliteStore;
  readonly platform: Platform;
  readonly app: FastifyInstance;
  /** The operator's bearer token, created on first call as `facekey serve` does. */
  operatorKey(): Promise<string>;
}

export type TestAppOptions = Omit<AppDependencies, 'platform' | 'readiness'> &
  Partial<Pick<AppDependencies, 'readiness'>> & {
    /** The face pipeline; closed with the app. Without it, routes that need faces find none. */
    readonly faces?: FaceService;
    /** Platform settings and engines, as `facekey serve` would take them from its configuration. */
    readonly platformOptions?: TestPlatformOptions;
  };

/**
 * The HTTP app in process over a fresh SQLite store: what an API test needs to call routes.
 * Everything it opens is closed, and its folder removed, when the test ends.
 */
export async function startTestApp(t: TestContext, name: string, options: TestAppOptions = {}): Promise<TestApp> {
  const { faces, platformOptions, ...appOptions } = options;
  const { dir, store, platform, close } = await openTestPlatform(name, faces ?? noFaceService, platformOptions);
  const app = await buildApp({ readiness: async () => ({}), ...appOptions, platform });
  t.after(async () => {
    await app.close();
    await faces?.close();
    await close();
  });
  const operatorKey = async () => fs.readFileSync((await ensureOperatorKey(store, dir)).file, 'utf8').trim();
  return { dir, store, platform, app, operatorKey };
}

export interface JsonAnswer {
  readonly status: number;
  /** The parsed JSON body; undefined for an empty body. */
  readonly body: any; // JSON.parse gives any: each test reads the fields it asserts
}

/**
 * `app.inject` for JSON calls: an optional bearer token, a body sent as JSON (a string is sent as
 * is, e.g. bytes a signature covers), extra headers, and the answer parsed.
 */
export function jsonInject(app: FastifyInstance) {
  return async (
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    url: string,
    token?: string,
    body?: unknown,
    extra: Record<string, string> = {},
  ): Promise<JsonAnswer> => {
    const headers: Record<string, string> = { ...(token ? { authorization: `Bearer ${token}` } : {}), ...extra };
    if (body !== undefined) headers['content-type'] ??= 'application/json';
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const r = await app.inject({ method, url, headers, ...(payload !== undefined ? { payload } : {}) });
    return { status: r.statusCode, body: r.body ? JSON.parse(r.body) : undefined };
  };
}

/** A tenant made with the operator key, and an admin key of it: where most API tests begin. */
export async function tenantWithAdmin(
  inject: ReturnType<typeof jsonInject>,
  operator: string,
  name = 'shop',
): Promise<{ tenant: { id: string; name: string }; admin: string }> {
  const tenant = (await inject('POST', '/v1/tenants', operator, { name })).body;
  const admin = (await inject('POST', `/v1/tenants/${tenant.id}/api-keys`, operator, { scopes: ['admin'] })).body.token as string;
  return { tenant, admin };
}

/** A terminal of `kind` registered by the tenant's admin, with the key pair it signs with. */
export async function registerTerminal(
  inject: ReturnType<typeof jsonInject>,
  admin: string,
  kind: string,
): Promise<{ id: string; keys: ReturnType<typeof generateTerminalKeyPair> }> {
  const keys = generateTerminalKeyPair();
  const terminal = (await inject('POST', '/v1/terminals', admin, { label: kind, kind, publicKey: keys.publicJwk })).body;
  return { id: terminal.id as string, keys };
}

export type TestTerminal = Awaited<ReturnType<typeof registerTerminal>>;

/** Requests signed by a terminal, as a device sends them (to the host `terminal.test`). */
export function signedInject(inject: ReturnType<typeof jsonInject>) {
  return (terminal: TestTerminal, method: 'POST' | 'PUT', url: string, body: unknown): Promise<JsonAnswer> => {
    const json = JSON.stringify(body);
    const signature = signTerminalRequest(
      { method, url: `http://terminal.test${url}`, headers: { 'content-type': 'application/json' }, body: json },
      { terminalId: terminal.id, privateKey: terminal.keys.privateKey },
    );
    return inject(method, url, undefined, json, { 'content-type': 'application/json', host: 'terminal.test', ...signature });
  };
}
