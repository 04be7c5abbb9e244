/**
 * The whole service as a user starts it (`npm start` = the built `dist/`), in this process, for browser
 * suites: a free port, a temp data dir with its SQLite file, the operator key the first start writes.
 * Built code, not src/: the web build (`dist/web`) is served by the built server, and a browser suite
 * tests what ships. Run `npm run build` first (the suite says so when dist/ is missing).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { projectRoot } from '../../../src/runtime/project-root.js';
import type { ServiceConfig } from '../../../src/config/service-config.js';
import type { RunningService } from '../../../src/server/start-service.js';
import { freePort } from '../child-service.js';

export const DIST_DIR = path.join(projectRoot(), 'dist');

/** Why a browser suite cannot run against the built service, or false when it can. */
export function builtServiceMissingReason(options: { web?: boolean } = {}): string | false {
  if (!fs.existsSync(path.join(DIST_DIR, 'src', 'server', 'start-service.js'))) return 'dist/ not built: run `npm run build`';
  if (options.web && !fs.existsSync(path.join(DIST_DIR, 'web'))) return 'dist/web not built: run `npm run build` (it runs build:web)';
  return false;
}

export interface ServeOptions {
  /**
   * Environment for the service's configuration (as `facekey serve` reads it), over the kit's
   * defaults. The embedded network simulator is configured here once it exists
   * (FACEKEY_NETWORK_SIM_PORT, FACEKEY_NETWORK_SIM=off, FACEKEY_NETWORK_URL): the kit passes 0 for
   * its port by default so parallel suites never collide, and leaves its API to `startService`.
   */
  readonly env?: NodeJS.ProcessEnv;
  /** Face-pipeline workers (default 1: the machine is shared, a browser suite sends few frames). */
  readonly workers?: number;
}

export interface TenantAdmin {
  readonly tenantId: string;
  /** An API key with the tenant's admin scope (`fk_…`): what the console signs in with. */
  readonly adminKey: string;
}

export interface FleetClaim {
  readonly id: string;
  /** The claim token a kiosk pairs with (`/kiosk/enroll#claim=<token>`). */
  readonly token: string;
}

export interface ServedFacekey {
  /** http://127.0.0.1:<port>, no trailing slash. */
  readonly url: string;
  /** The network simulator's URL as the service tells browsers (GET /v1/web-config), when it has one. */
  networkUrl(): Promise<string | undefined>;
  readonly dataDir: string;
  /** The operator key written at first start (admin over every tenant). */
  readonly operatorKey: string;
  readonly service: RunningService;
  /** Operator call: a tenant and an admin API key for it. */
  createTenant(name?: string): Promise<TenantAdmin>;
  /** Admin call: a fleet claim for kiosks of `kind` (default: an enrollment kiosk). */
  createClaim(admin: TenantAdmin, options?: { kind?: string; siteId?: string; maxUses?: number }): Promise<FleetClaim>;
  /** JSON call with a bearer key; throws with the problem details on a non-2xx answer. */
  call<T>(method: string, route: string, key: string | undefined, body?: unknown): Promise<T>;
  close(): Promise<void>;
}

const KIT_ENV: NodeJS.ProcessEnv = {
  HOST: '127.0.0.1',
  LOG_LEVEL: 'warn',
  // A broker on a random port: the default 1884 may be taken by another suite.
  FACEKEY_MQTT_PORT: '0',
  // The embedded network simulator (console helper's work): a random port too, so suites never collide.
  FACEKEY_NETWORK_SIM_PORT: '0',
};

export async function serveFacekey(options: ServeOptions = {}): Promise<ServedFacekey> {
  const missing = builtServiceMissingReason();
  if (missing) throw new Error(missing);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'facekey-browser-'));
  const built = (file: string) => pathToFileURL(path.join(DIST_DIR, 'src', file)).href;
  const { readServiceConfig } = (await import(built('config/service-config.js'))) as typeof import('../../../src/config/service-config.js');
  const { startService } = (await import(built('server/start-service.js'))) as typeof import('../../../src/server/start-service.js');
  // A free port chosen up front rather than PORT=0: the public URL (the issuer of assertions, the origin
  // the network simulator allows) must name the port browsers actually use.
  const port = await freePort();
  const env = { ...KIT_ENV, PORT: String(port), FACEKEY_DATA_DIR: dataDir, ...options.env };
  const config: ServiceConfig = readServiceConfig(env);
  let service: RunningService;
  try {
    service = await startService(config, { size: options.workers ?? 1 });
  } catch (error) {
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const url = `http://127.0.0.1:${port}`;
  const operatorKey = fs.readFileSync(path.join(dataDir, 'operator.key'), 'utf8').trim();

  const call = async <T>(method: string, route: string, key: string | undefined, body?: unknown): Promise<T> => {
    const response = await fetch(url + route, {
      method,
      headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${route} answered ${response.status}: ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };

  return {
    url,
    dataDir,
    operatorKey,
    service,
    call,
    networkUrl: async () => {
      try {
        return (await call<{ networkUrl?: string }>('GET', '/v1/web-config', undefined)).networkUrl;
      } catch {
        return undefined; // no web-config route in this build yet
      }
    },
    createTenant: async (name = `browser-suite-${Date.now()}`) => {
      const tenant = await call<{ id: string }>('POST', '/v1/tenants', operatorKey, { name });
      const key = await call<{ token: string }>('POST', `/v1/tenants/${tenant.id}/api-keys`, operatorKey, {
        scopes: ['admin'],
        label: 'browser suite admin',
      });
      return { tenantId: tenant.id, adminKey: key.token };
    },
    createClaim: async (admin, claim = {}) => {
      const created = await call<{ id: string; token: string }>('POST', '/v1/fleet/claims', admin.adminKey, {
        kind: claim.kind ?? 'enrollment_kiosk',
        siteId: claim.siteId ?? 'browser-suite',
        expiresInSeconds: 3600,
        maxUses: claim.maxUses ?? 5,
      });
      return { id: created.id, token: created.token };
    },
    close: async () => {
      try {
        await service.close();
      } finally {
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
}
