import type { SqlMigration } from '../store/sql/sql-migrations.js';

export const CONSENT_TRACK = 'consent';

export const CONSENT_MIGRATIONS: readonly SqlMigration[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE consents (
        id TEXT PRIMARY KEY,
        tenant_id TEXT NOT NULL,
        subject_id TEXT,
        text_version TEXT NOT NULL,
        text_sha256 TEXT NOT NULL,
        purposes TEXT NOT NULL,
        jurisdiction TEXT NOT NULL,
        device_id TEXT NOT NULL,
        granted_at TEXT NOT NULL,
        withdrawn_at TEXT,
        last_active_at TEXT NOT NULL
      );
      CREATE UNIQUE INDEX consents_by_subject ON consents (tenant_id, subject_id);
      CREATE INDEX consents_by_activity ON consents (withdrawn_at, last_active_at);
      CREATE TABLE erasure_receipts (
        id TEXT PRIMARY KEY,
        tenant_id TEXT NOT NULL,
        consent_id TEXT NOT NULL UNIQUE,
        subject_id TEXT,
        reason TEXT NOT NULL,
        erased_at TEXT NOT NULL,
        templates_erased INTEGER NOT NULL,
        tokens_unlinked INTEGER NOT NULL,
        orders_erased INTEGER NOT NULL
      )
    `,
  },
];
