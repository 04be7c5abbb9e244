import { composePlatform, type Platform, type PlatformSettings } from '../../src/server/compose-platform.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { SqliteDatabase } from '../../src/store/sql/sqlite-database.js';
import type { FaceService } from '../../src/pipeline/face-service.js';
import { createEngine, DEFAULT_ENGINE_ID } from '../../src/engines/engine-registry.js';

/** What a test may change in how the platform is composed. */
export interface TestPlatformOptions {
  readonly settings?: Partial<PlatformSettings>;
  /** Engine ids: the first is the platform's default, the others run beside it (default: the service's engine). */
  readonly engineIds?: readonly string[];
}

/** The whole platform over one SQLite store, as `facekey serve` composes it, for in-process tests. */
export function composeTestPlatform(
  store: SqliteStore,
  faces: FaceService,
  masterKey: Buffer,
  { settings = {}, engineIds = [DEFAULT_ENGINE_ID] }: TestPlatformOptions = {},
): Promise<Platform> {
  const [engine, ...otherEngines] = engineIds.map(createEngine);
  return composePlatform(
    { store, sql: new SqliteDatabase(store.connection), faces, engine: engine!, otherEngines, masterKey },
    { issuer: 'http://facekey.test', retentionDays: 730, ...settings },
  );
}

export interface TestPlatformOnDisk {
  /** The fresh folder the SQLite file lives in. */
  readonly dir: string;
  readonly store: SqliteStore;
  readonly platform: Platform;
  /** Closes the platform's SQL connection and the store, and removes the folder. */
  close(): Promise<void>;
}

/** composeTestPlatform over a fresh SQLite store in a new temp folder named `facekey-<name>-…`. */
export async function openTestPlatform(name: string, faces: FaceService, options: TestPlatformOptions = {}): Promise<TestPlatformOnDisk> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `facekey-${name}-`));
  const masterKey = randomBytes(32);
  const store = await SqliteStore.open({ path: path.join(dir, 'facekey.sqlite'), masterKey });
  const platform = await composeTestPlatform(store, faces, masterKey, options);
  const close = async () => {
    await platform.sql.close();
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  return { dir, store, platform, close };
}
