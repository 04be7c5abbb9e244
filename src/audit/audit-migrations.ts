import type { SqlMigration } from '../store/sql/sql-migrations.js';
import { GENESIS_HASH } from './entry-hash.js';

export const AUDIT_TRACK = 'audit';

/**
 * `audit_head` is created with its one row, so an append can always start by updating it: that
 * UPDATE is what serializes appenders, across processes too on PostgreSQL (the row lock).
 */
export const AUDIT_MIGRATIONS: readonly SqlMigration[] = [
  {
    version: 1,
    sql: `CREATE TABLE audit_entries (
  seq BIGINT PRIMARY KEY,
  at TEXT NOT NULL,
  type TEXT NOT NULL,
  tenant_id TEXT NULL,
  actor TEXT NOT NULL,
  data TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE TABLE audit_head (id INTEGER PRIMARY KEY, seq BIGINT NOT NULL, hash TEXT NOT NULL);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '${GENESIS_HASH}')`,
  },
  {
    // The merchant console reads one tenant's recent events of one type (its checkouts).
    version: 2,
    sql: `CREATE INDEX audit_entries_by_tenant_type_at ON audit_entries (tenant_id, type, at)`,
  },
];
