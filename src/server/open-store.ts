import path from 'node:path';
import type { ServiceConfig } from '../config/service-config.js';
import type { BiometricStore } from '../store/biometric-store.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { PostgresStore } from '../store/postgres/postgres-store.js';
import type { SqlDatabase } from '../store/sql/sql-database.js';
import { SqliteDatabase } from '../store/sql/sqlite-database.js';
import { PostgresDatabase } from '../store/sql/postgres-database.js';
import { listenGalleryChanges, type GalleryChangeHandlers } from '../store/postgres/gallery-change-listener.js';

export interface OpenedStore {
  readonly store: BiometricStore;
  readonly kind: 'sqlite' | 'postgres';
  /** The same database for the domain stores (consent, devices, payments, audit). */
  readonly sql: SqlDatabase;
  /** Other processes' writes, where several can share the store (PostgreSQL); absent for the embedded file. */
  readonly watchGallery?: (handlers: GalleryChangeHandlers) => Promise<{ close(): Promise<void> }>;
}

/** The embedded SQLite file by default; PostgreSQL when DATABASE_URL is set (several stateless nodes). */
export async function openStore(config: ServiceConfig, masterKey: Buffer): Promise<OpenedStore> {
  if (config.databaseUrl) {
    const connectionString = config.databaseUrl;
    const store = await PostgresStore.open({ connectionString, masterKey });
    const sql = await PostgresDatabase.open({ connectionString, schema: store.schema });
    return { store, sql, kind: 'postgres', watchGallery: (handlers) => listenGalleryChanges(connectionString, store.schema, handlers) };
  }
  const store = await SqliteStore.open({ path: path.join(config.dataDir, 'facekey.sqlite'), masterKey });
  return { store, sql: new SqliteDatabase(store.connection), kind: 'sqlite' };
}
