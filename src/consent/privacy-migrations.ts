import type { SqlDatabase } from '../store/sql/sql-database.js';
import { migrateTrack, type SqlMigration } from '../store/sql/sql-migrations.js';

/**
 * The privacy portal's tables, on their own `privacy` track (portable SQL: SQLite and PostgreSQL).
 * Neither holds a secret in the clear: a privacy code is kept as its HMAC, a session id as its
 * SHA-256, a session's CSRF token as its SHA-256.
 */
export const PRIVACY_MIGRATIONS: readonly SqlMigration[] = [
  {
    version: 1,
    sql: `CREATE TABLE privacy_codes (
  code_hash TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  subject_id TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX privacy_codes_by_subject ON privacy_codes (tenant_id, subject_id);
CREATE TABLE privacy_sessions (
  id_hash TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  subject_id TEXT NOT NULL,
  csrf_hash TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
);
CREATE INDEX privacy_sessions_by_subject ON privacy_sessions (tenant_id, subject_id);
CREATE INDEX privacy_sessions_by_expiry ON privacy_sessions (expires_at);`,
  },
];

export function migratePrivacy(db: SqlDatabase): Promise<void> {
  return migrateTrack(db, 'privacy', PRIVACY_MIGRATIONS);
}
