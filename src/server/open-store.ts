import path from 'node:path';
import type { ServiceConfig } from '../config/service-config.js';
import type { BiometricStore } from '../store/biometric-store.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { PostgresStore } from '../store/postgres/postgres-store.js';

/** The embedded SQLite file by default; PostgreSQL when DATABASE_URL is set (several stateless nodes). */
export async function openStore(config: ServiceConfig, masterKey: Buffer): Promise<{ store: BiometricStore; kind: 'sqlite' | 'postgres' }> {
  if (config.databaseUrl) return { store: await PostgresStore.open({ connectionString: config.databaseUrl, masterKey }), kind: 'postgres' };
  return { store: new SqliteStore({ path: path.join(config.dataDir, 'facekey.sqlite'), masterKey }), kind: 'sqlite' };
}
