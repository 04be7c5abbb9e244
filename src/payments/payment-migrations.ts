import type { SqlMigration } from '../store/sql/sql-migrations.js';

export const PAYMENTS_TRACK = 'payments';

export const PAYMENT_MIGRATIONS: readonly SqlMigration[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE payment_tokens (
        tenant_id TEXT NOT NULL,
        subject_id TEXT NOT NULL,
        token_ref TEXT NOT NULL,
        linked_at TEXT NOT NULL,
        PRIMARY KEY (tenant_id, subject_id, token_ref)
      );
      CREATE TABLE second_factors (
        tenant_id TEXT NOT NULL,
        subject_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        lookup TEXT NOT NULL,
        set_at TEXT NOT NULL,
        PRIMARY KEY (tenant_id, subject_id, kind)
      );
      CREATE INDEX second_factors_by_lookup ON second_factors (tenant_id, kind, lookup);
      CREATE TABLE failure_counters (
        scope TEXT NOT NULL,
        scope_id TEXT NOT NULL,
        failures INTEGER NOT NULL,
        locked_until TEXT,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (scope, scope_id)
      );
      CREATE TABLE signing_keys (
        kid TEXT PRIMARY KEY,
        public_jwk TEXT NOT NULL,
        sealed_private_jwk TEXT NOT NULL,
        created_at TEXT NOT NULL,
        retired_at TEXT
      )
    `,
  },
  {
    version: 2,
    sql: `
      CREATE TABLE tenant_risk_policies (
        tenant_id TEXT PRIMARY KEY,
        settings TEXT NOT NULL,
        updated_at TEXT NOT NULL
      )
    `,
  },
];
