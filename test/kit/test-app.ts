import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { TestContext } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp, type AppDependencies } from '../../src/api/build-app.js';
import type { Platform } from '../../src/server/compose-platform.js';
import { ensureOperatorKey } from '../../src/server/operator-key.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { composeTestPlatform } from './test-platform.js';
import { noFaceService } from './no-face-service.js';

export interface TestApp {
  /** The fresh folder the store and the operator key file live in; removed after the test. */
  readonly dir: string;
  readonly store: SqliteStore;
  readonly platform: Platform;
  readonly app: FastifyInstance;
  /** The operator's bearer token, created on first call as `facekey serve` does. */
  operatorKey(): Promise<string>;
}

export type TestAppOptions = Omit<AppDependencies, 'platform' | 'readiness'> & Partial<Pick<AppDependencies, 'readiness'>>;

/**
 * The HTTP app in process over a fresh SQLite store, with no face pipeline (routes that need faces
 * answer as if none was found): what an API test needs to call routes. Everything it opens is
 * closed, and its folder removed, when the test ends.
 */
export async function startTestApp(t: TestContext, name: string, options: TestAppOptions = {}): Promise<TestApp> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `facekey-${name}-`));
  const masterKey = randomBytes(32);
  const store = await SqliteStore.open({ path: path.join(dir, 'facekey.sqlite'), masterKey });
  const platform = await composeTestPlatform(store, noFaceService, masterKey);
  const app = await buildApp({ readiness: async () => ({}), ...options, platform });
  t.after(async () => {
    await app.close();
    await platform.sql.close();
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const operatorKey = async () => fs.readFileSync((await ensureOperatorKey(store, dir)).file, 'utf8').trim();
  return { dir, store, platform, app, operatorKey };
}
