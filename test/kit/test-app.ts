import type { TestContext } from 'node:test';
import fs from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { buildApp, type AppDependencies } from '../../src/api/build-app.js';
import type { Platform } from '../../src/server/compose-platform.js';
import type { FaceService } from '../../src/pipeline/face-service.js';
import { ensureOperatorKey } from '../../src/server/operator-key.js';
import type { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { openTestPlatform } from './test-platform.js';
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

export type TestAppOptions = Omit<AppDependencies, 'platform' | 'readiness'> &
  Partial<Pick<AppDependencies, 'readiness'>> & {
    /** The face pipeline; closed with the app. Without it, routes that need faces find none. */
    readonly faces?: FaceService;
  };

/**
 * The HTTP app in process over a fresh SQLite store: what an API test needs to call routes.
 * Everything it opens is closed, and its folder removed, when the test ends.
 */
export async function startTestApp(t: TestContext, name: string, options: TestAppOptions = {}): Promise<TestApp> {
  const { faces, ...appOptions } = options;
  const { dir, store, platform, close } = await openTestPlatform(name, faces ?? noFaceService);
  const app = await buildApp({ readiness: async () => ({}), ...appOptions, platform });
  t.after(async () => {
    await app.close();
    await faces?.close();
    await close();
  });
  const operatorKey = async () => fs.readFileSync((await ensureOperatorKey(store, dir)).file, 'utf8').trim();
  return { dir, store, platform, app, operatorKey };
}
