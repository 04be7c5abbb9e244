import type { SqlDatabase } from '../store/sql/sql-database.js';
import { migrateTrack, type SqlMigration } from '../store/sql/sql-migrations.js';

export const DEVICE_MIGRATIONS: readonly SqlMigration[] = [
  {
    version: 1,
    sql: `CREATE TABLE terminals (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  label TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('checkout', 'enrollment_kiosk', 'temperature_scanner')),
  public_key TEXT NOT NULL,
  created_at TEXT NOT NULL,
  revoked_at TEXT
);
CREATE INDEX terminals_by_tenant ON terminals (tenant_id, created_at, id);
CREATE TABLE used_nonces (
  terminal_id TEXT NOT NULL,
  nonce TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  PRIMARY KEY (terminal_id, nonce)
);
CREATE INDEX used_nonces_by_expiry ON used_nonces (expires_at);`,
  },
  {
    // One key, one terminal, across tenants and revocations: otherwise a signature made for one
    // registration would also authenticate as another (a key copied from one merchant's till).
    version: 2,
    sql: `CREATE UNIQUE INDEX terminals_public_key ON terminals (public_key);`,
  },
  {
    // When the console last heard from a device: its last verified request (to the minute).
    version: 3,
    sql: `ALTER TABLE terminals ADD COLUMN last_seen_at TEXT;`,
  },
];

/** Terminals and their used nonces, on the `devices` track. */
export function migrateDevices(db: SqlDatabase): Promise<void> {
  return migrateTrack(db, 'devices', DEVICE_MIGRATIONS);
}
