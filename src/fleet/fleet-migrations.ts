import type { SqlDatabase } from '../store/sql/sql-database.js';
import { migrateTrack, type SqlMigration } from '../store/sql/sql-migrations.js';

export const FLEET_TRACK = 'fleet';

export const FLEET_MIGRATIONS: readonly SqlMigration[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE fleet_claims (
        id TEXT PRIMARY KEY,
        tenant_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        site_id TEXT NOT NULL,
        tags TEXT NOT NULL,
        secret_hash TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        max_uses INTEGER NOT NULL,
        uses INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        revoked_at TEXT
      );
      CREATE INDEX fleet_claims_by_tenant ON fleet_claims (tenant_id, created_at);
      CREATE TABLE fleet_devices (
        id TEXT PRIMARY KEY,
        tenant_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        site_id TEXT NOT NULL,
        tags TEXT NOT NULL,
        public_key TEXT NOT NULL,
        claim_id TEXT NOT NULL,
        mqtt_secret_hash TEXT NOT NULL,
        registered_at TEXT NOT NULL,
        rotated_at TEXT,
        revoked_at TEXT
      );
      CREATE INDEX fleet_devices_by_tenant ON fleet_devices (tenant_id, site_id, kind);
      CREATE TABLE fleet_twins (
        device_id TEXT PRIMARY KEY,
        tenant_id TEXT NOT NULL,
        desired TEXT NOT NULL,
        desired_version INTEGER NOT NULL,
        desired_at TEXT,
        reported TEXT NOT NULL,
        reported_version INTEGER NOT NULL,
        reported_at TEXT
      );
      CREATE TABLE fleet_presence (
        device_id TEXT PRIMARY KEY,
        tenant_id TEXT NOT NULL,
        state TEXT NOT NULL,
        since TEXT NOT NULL,
        reason TEXT NOT NULL,
        last_seen_at TEXT
      );
      CREATE TABLE fleet_connection_log (
        id TEXT PRIMARY KEY,
        device_id TEXT NOT NULL,
        tenant_id TEXT NOT NULL,
        event TEXT NOT NULL,
        reason TEXT NOT NULL,
        at TEXT NOT NULL
      );
      CREATE INDEX fleet_connection_log_by_device ON fleet_connection_log (device_id, at)
    `,
  },
  {
    version: 2,
    sql: `
      CREATE TABLE fleet_fever_alerts (
        id TEXT PRIMARY KEY,
        tenant_id TEXT NOT NULL,
        device_id TEXT NOT NULL,
        site_id TEXT NOT NULL,
        event_id TEXT NOT NULL,
        temperature_c TEXT,
        alarm_threshold_c TEXT NOT NULL,
        subject_id TEXT,
        raised_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        outcome TEXT,
        outcome_at TEXT,
        UNIQUE (device_id, event_id)
      );
      CREATE INDEX fleet_fever_alerts_by_tenant ON fleet_fever_alerts (tenant_id, raised_at);
      CREATE INDEX fleet_fever_alerts_by_expiry ON fleet_fever_alerts (expires_at)
    `,
  },
  {
    version: 3,
    sql: `
      CREATE TABLE fleet_jobs (
        id TEXT PRIMARY KEY,
        tenant_id TEXT NOT NULL,
        document TEXT NOT NULL,
        target TEXT NOT NULL,
        phases TEXT NOT NULL,
        phase INTEGER NOT NULL,
        abort_criteria TEXT NOT NULL,
        in_progress_timeout_ms BIGINT NOT NULL,
        max_attempts INTEGER NOT NULL,
        max_per_second INTEGER,
        status TEXT NOT NULL,
        status_reason TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX fleet_jobs_by_status ON fleet_jobs (status);
      CREATE TABLE fleet_job_executions (
        job_id TEXT NOT NULL,
        device_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        started_at TEXT,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (job_id, device_id)
      );
      CREATE INDEX fleet_job_executions_by_status ON fleet_job_executions (job_id, status, seq)
    `,
  },
  {
    // Several nodes and pipelined ingest handle one device's messages in any order: presence is
    // ordered by the device's session number, reported state by the device's message time.
    version: 4,
    sql: `
      ALTER TABLE fleet_presence ADD COLUMN session_started BIGINT;
      ALTER TABLE fleet_presence ADD COLUMN session_phase INTEGER;
      CREATE INDEX fleet_presence_by_state ON fleet_presence (state, last_seen_at);
      ALTER TABLE fleet_twins ADD COLUMN reported_message_at TEXT
    `,
  },
  {
    // Continuous jobs take devices that match their target later; jobs that existed were snapshots.
    // The console lists a tenant's jobs newest first.
    version: 5,
    sql: `
      ALTER TABLE fleet_jobs ADD COLUMN mode TEXT NOT NULL DEFAULT 'snapshot';
      CREATE INDEX fleet_jobs_by_tenant ON fleet_jobs (tenant_id, created_at)
    `,
  },
];

/** Claims, devices, twins and presence, on the `fleet` track. */
export function migrateFleet(db: SqlDatabase): Promise<void> {
  return migrateTrack(db, FLEET_TRACK, FLEET_MIGRATIONS);
}
