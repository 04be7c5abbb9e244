import { composePlatform, type Platform, type PlatformSettings } from '../../src/server/compose-platform.js';
import type { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { SqliteDatabase } from '../../src/store/sql/sqlite-database.js';
import type { FaceService } from '../../src/pipeline/face-service.js';
import { createEngine, DEFAULT_ENGINE_ID } from '../../src/engines/engine-registry.js';

/** The whole platform over one SQLite store, as `facekey serve` composes it, for in-process tests. */
export function composeTestPlatform(
  store: SqliteStore,
  faces: FaceService,
  masterKey: Buffer,
  settings: Partial<PlatformSettings> = {},
): Promise<Platform> {
  return composePlatform(
    { store, sql: new SqliteDatabase(store.connection), faces, engine: createEngine(DEFAULT_ENGINE_ID), masterKey },
    { issuer: 'http://facekey.test', retentionDays: 730, ...settings },
  );
}
