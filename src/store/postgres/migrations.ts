/**
 * The PostgreSQL vault's track ('biometric') of the project's one migration style
 * (sql-migrations.ts): all pending versions apply in one transaction under the migrations'
 * advisory lock, so processes starting together serialize. Versions 1–4 were once recorded in
 * schema_migrations; migratePostgresVault adopts them from there. Never edit a released
 * migration: add the next version.
 */
import type { SqlDatabase } from '../sql/sql-database.js';
import { migrateTrack, type SqlMigration } from '../sql/sql-migrations.js';
import { VAULT_TRACK } from '../biometric-store-base.js';

/** NOTIFY channel of template changes; payloads name their schema, so test schemas never mix. */
export const GALLERY_CHANNEL = 'facekey_gallery';

/** ISO-8601 UTC text with milliseconds, as JavaScript's toISOString writes it. */
const isoText = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

export const POSTGRES_MIGRATIONS: readonly SqlMigration[] = [
  {
    version: 1,
    // Ids are text, not uuid: callers pass ids straight from requests, and an unknown or malformed
    // id must read as not-found rather than fail with a cast error. COLLATE "C" orders them by bytes,
    // as SQLite does, whatever the database locale, and lets keyset paging use the indexes.
    sql: `
      CREATE TABLE tenants (
        id text COLLATE "C" PRIMARY KEY,
        name text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );

      CREATE TABLE api_keys (
        key_id text COLLATE "C" PRIMARY KEY,
        tenant_id text COLLATE "C" REFERENCES tenants (id),
        scopes text[] NOT NULL,
        secret_hash text NOT NULL,
        label text,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
      );

      CREATE TABLE subjects (
        id text COLLATE "C" PRIMARY KEY,
        tenant_id text COLLATE "C" NOT NULL REFERENCES tenants (id),
        external_ref text NOT NULL,
        consent_id text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT subjects_external_ref_per_tenant UNIQUE (tenant_id, external_ref),
        -- Target of templates' composite key; also serves tenant-scoped paging.
        CONSTRAINT subjects_tenant_and_id UNIQUE (tenant_id, id)
      );

      -- The subject's data key, wrapped by the master key. Its own table, so shredding is one DELETE
      -- and nothing else in the schema ever holds key material.
      CREATE TABLE subject_keys (
        subject_id text COLLATE "C" PRIMARY KEY REFERENCES subjects (id),
        wrapped_key bytea NOT NULL
      );

      CREATE TABLE templates (
        id text COLLATE "C" PRIMARY KEY,
        tenant_id text COLLATE "C" NOT NULL,
        subject_id text COLLATE "C" NOT NULL,
        engine_id text NOT NULL,
        engine_version text NOT NULL,
        ciphertext bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        -- Composite: a template can never point at another tenant's subject.
        FOREIGN KEY (tenant_id, subject_id) REFERENCES subjects (tenant_id, id)
      );
      CREATE INDEX templates_by_subject_engine ON templates (subject_id, engine_id);
      CREATE INDEX templates_by_gallery ON templates (engine_id, engine_version, id);

      CREATE TABLE idempotency_records (
        tenant_id text COLLATE "C" NOT NULL REFERENCES tenants (id),
        idempotency_key text NOT NULL,
        request_hash text NOT NULL,
        response jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, idempotency_key)
      );
    `,
  },
  {
    version: 2,
    // Every node keeps in-memory 1:N indexes; a trigger (not application code, which could forget)
    // tells all of them about every template written or deleted, so they converge within a second.
    sql: `
      CREATE FUNCTION gallery_notify() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        row_data templates;
      BEGIN
        IF TG_OP = 'DELETE' THEN row_data := OLD; ELSE row_data := NEW; END IF;
        PERFORM pg_notify('${GALLERY_CHANNEL}', json_build_object(
          'schema', TG_TABLE_SCHEMA, 'op', lower(TG_OP), 'tenantId', row_data.tenant_id,
          'subjectId', row_data.subject_id, 'templateId', row_data.id,
          'engineId', row_data.engine_id, 'engineVersion', row_data.engine_version)::text);
        RETURN NULL;
      END $$;
      CREATE TRIGGER templates_gallery_notify AFTER INSERT OR DELETE ON templates
        FOR EACH ROW EXECUTE FUNCTION gallery_notify();
    `,
  },
  {
    version: 3,
    // Idempotency keys are reserved (state 'pending') before the request runs, and every record
    // expires so the table does not grow forever. Existing records get the default 24 h from creation.
    sql: `
      ALTER TABLE idempotency_records ADD COLUMN state text NOT NULL DEFAULT 'completed'
        CHECK (state IN ('pending', 'completed'));
      ALTER TABLE idempotency_records ADD COLUMN expires_at timestamptz;
      UPDATE idempotency_records SET expires_at = created_at + interval '24 hours';
      ALTER TABLE idempotency_records ALTER COLUMN expires_at SET NOT NULL;
      CREATE INDEX idempotency_records_by_expiry ON idempotency_records (expires_at);
    `,
  },
  {
    version: 4,
    // Enrollment images, kept only when an operator turns on short-lived retention. Sealed with the
    // subject's data key like its templates, so shredding that key destroys them too. The foreign
    // key ties each image to a template of the same subject of the same tenant.
    sql: `
      ALTER TABLE templates ADD CONSTRAINT templates_by_owner UNIQUE (tenant_id, subject_id, id);
      CREATE TABLE retained_images (
        id text COLLATE "C" PRIMARY KEY,
        tenant_id text COLLATE "C" NOT NULL,
        subject_id text COLLATE "C" NOT NULL,
        template_id text COLLATE "C" NOT NULL,
        ciphertext bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        FOREIGN KEY (tenant_id, subject_id, template_id) REFERENCES templates (tenant_id, subject_id, id)
      );
      CREATE INDEX retained_images_by_subject ON retained_images (subject_id);
      CREATE INDEX retained_images_by_expiry ON retained_images (expires_at);
    `,
  },
  {
    version: 5,
    // Tenants, API keys and idempotency records are now read and written through the portable SQL
    // port (one implementation for both dialects), whose rules are TEXT times in ISO-8601 and JSON
    // as TEXT. Existing rows keep their values, spelt as the port writes them; COLLATE "C" makes
    // the ISO instants compare in time order whatever the database's locale.
    sql: `
      ALTER TABLE tenants
        ALTER COLUMN created_at DROP DEFAULT,
        ALTER COLUMN created_at TYPE text COLLATE "C" USING ${isoText('created_at')};
      ALTER TABLE api_keys
        ALTER COLUMN scopes TYPE text USING array_to_json(scopes)::text,
        ALTER COLUMN created_at DROP DEFAULT,
        ALTER COLUMN created_at TYPE text COLLATE "C" USING ${isoText('created_at')},
        ALTER COLUMN revoked_at TYPE text COLLATE "C" USING ${isoText('revoked_at')};
      ALTER TABLE idempotency_records
        ALTER COLUMN response TYPE text USING response::text,
        ALTER COLUMN created_at DROP DEFAULT,
        ALTER COLUMN created_at TYPE text COLLATE "C" USING ${isoText('created_at')},
        ALTER COLUMN expires_at TYPE text COLLATE "C" USING ${isoText('expires_at')};
    `,
  },
];

export function migratePostgresVault(db: SqlDatabase): Promise<void> {
  return migrateTrack(db, VAULT_TRACK, POSTGRES_MIGRATIONS, { adoptLegacyTable: 'schema_migrations' });
}
