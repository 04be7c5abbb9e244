/**
 * The SQLite vault's track ('biometric') of the project's one migration style (sql-migrations.ts):
 * ordered, append-only, each pending version in one transaction with its bookkeeping row. Versions
 * 1–3 were once recorded in schema_migrations; migrateSqliteVault adopts them from there. Tenants,
 * API keys and idempotency records are created here (subjects reference tenants) but read and
 * written through the portable SQL port. Never edit a released migration: add the next version.
 */
import type { SqlDatabase } from '../sql/sql-database.js';
import { migrateTrack, type SqlMigration } from '../sql/sql-migrations.js';
import { VAULT_TRACK } from '../biometric-store-base.js';

export const SQLITE_MIGRATIONS: readonly SqlMigration[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE tenants (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        created_at TEXT NOT NULL
      );

      CREATE TABLE api_keys (
        key_id TEXT PRIMARY KEY,
        tenant_id TEXT REFERENCES tenants (id),
        scopes TEXT NOT NULL, -- JSON array of strings
        secret_hash TEXT NOT NULL,
        label TEXT,
        created_at TEXT NOT NULL,
        revoked_at TEXT
      );

      CREATE TABLE subjects (
        id TEXT PRIMARY KEY,
        tenant_id TEXT NOT NULL REFERENCES tenants (id),
        external_ref TEXT NOT NULL,
        consent_id TEXT NOT NULL,
        created_at TEXT NOT NULL,
        UNIQUE (tenant_id, external_ref),
        UNIQUE (tenant_id, id) -- target of templates' composite key; also serves tenant-scoped paging
      );

      -- The subject's data key, wrapped by the master key. Its own table, so shredding is one DELETE
      -- and nothing else in the schema ever holds key material.
      CREATE TABLE subject_keys (
        subject_id TEXT PRIMARY KEY REFERENCES subjects (id),
        wrapped_key BLOB NOT NULL
      );

      CREATE TABLE templates (
        id TEXT PRIMARY KEY,
        tenant_id TEXT NOT NULL,
        subject_id TEXT NOT NULL,
        engine_id TEXT NOT NULL,
        engine_version TEXT NOT NULL,
        ciphertext BLOB NOT NULL,
        created_at TEXT NOT NULL,
        -- Composite: a template can never point at another tenant's subject.
        FOREIGN KEY (tenant_id, subject_id) REFERENCES subjects (tenant_id, id)
      );
      CREATE INDEX templates_by_subject_engine ON templates (subject_id, engine_id);
      CREATE INDEX templates_by_gallery ON templates (engine_id, engine_version, id);

      CREATE TABLE idempotency_records (
        tenant_id TEXT NOT NULL REFERENCES tenants (id),
        idempotency_key TEXT NOT NULL,
        request_hash TEXT NOT NULL,
        response TEXT NOT NULL, -- JSON
        created_at TEXT NOT NULL,
        PRIMARY KEY (tenant_id, idempotency_key)
      );
    `,
  },
  {
    version: 2,
    // Idempotency keys are reserved (state 'pending') before the request runs, and every record
    // expires so the table does not grow forever. Existing records get the default 24 h from
    // creation. ISO-8601 UTC text compares in time order, like the other timestamps here.
    sql: `
      ALTER TABLE idempotency_records ADD COLUMN state TEXT NOT NULL DEFAULT 'completed'
        CHECK (state IN ('pending', 'completed'));
      ALTER TABLE idempotency_records ADD COLUMN expires_at TEXT;
      UPDATE idempotency_records SET expires_at = strftime('%Y-%m-%dT%H:%M:%fZ', created_at, '+1 day');
      CREATE INDEX idempotency_records_by_expiry ON idempotency_records (expires_at);
    `,
  },
  {
    version: 3,
    // Enrollment images, kept only when an operator turns on short-lived retention. Sealed with the
    // subject's data key like its templates, so shredding that key destroys them too. The foreign
    // key ties each image to a template of the same subject of the same tenant.
    sql: `
      CREATE UNIQUE INDEX templates_by_owner ON templates (tenant_id, subject_id, id);
      CREATE TABLE retained_images (
        id TEXT PRIMARY KEY,
        tenant_id TEXT NOT NULL,
        subject_id TEXT NOT NULL,
        template_id TEXT NOT NULL,
        ciphertext BLOB NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        FOREIGN KEY (tenant_id, subject_id, template_id) REFERENCES templates (tenant_id, subject_id, id)
      );
      CREATE INDEX retained_images_by_subject ON retained_images (subject_id);
      CREATE INDEX retained_images_by_expiry ON retained_images (expires_at);
    `,
  },
];

export function migrateSqliteVault(db: SqlDatabase): Promise<void> {
  // migrateTrack's transaction is BEGIN IMMEDIATE: two processes opening the same file at once
  // cannot both decide to apply the same version.
  return migrateTrack(db, VAULT_TRACK, SQLITE_MIGRATIONS, { adoptLegacyTable: 'schema_migrations' });
}
