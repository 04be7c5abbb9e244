import type { SqlDatabase } from '../store/sql/sql-database.js';
import { migrateTrack, type SqlMigration } from '../store/sql/sql-migrations.js';

export const LIVENESS_SESSION_MIGRATIONS: readonly SqlMigration[] = [
  {
    version: 1,
    sql: `CREATE TABLE liveness_sessions (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  terminal_id TEXT NOT NULL,
  challenge TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  used_at TEXT
);
CREATE INDEX liveness_sessions_by_expiry ON liveness_sessions (expires_at);`,
  },
  {
    // What the session is for (checkout or enrollment): a checkout's challenge may be shorter. NULL for
    // sessions issued before: they carry the enrollment-length challenge and answer either.
    version: 2,
    sql: `ALTER TABLE liveness_sessions ADD COLUMN purpose TEXT;`,
  },
];

/** Liveness challenge sessions, on their own `liveness_sessions` track. */
export function migrateLivenessSessions(db: SqlDatabase): Promise<void> {
  return migrateTrack(db, 'liveness_sessions', LIVENESS_SESSION_MIGRATIONS);
}
