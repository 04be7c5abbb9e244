/**
 * The simulator's schema, in its own file and its own database: nothing here is shared with
 * facekey's store. Ordered and append-only; each pending version runs in one transaction with its
 * row in schema_migrations. Never edit a released migration: add the next version.
 */
import type Database from 'better-sqlite3';

interface Migration {
  version: number;
  sql: string;
}

export const NETWORK_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE tokens (
        token_ref TEXT PRIMARY KEY,
        pan_ciphertext BLOB, -- AES-256-GCM bound to token_ref; NULL once the token is deleted
        last4 TEXT NOT NULL,
        expiry TEXT NOT NULL, -- YYYY-MM
        status TEXT NOT NULL CHECK (status IN ('active', 'deleted')),
        created_at TEXT NOT NULL
      );

      CREATE TABLE authorizations (
        id TEXT PRIMARY KEY,
        -- Set only on the authorization that consumed the jti: the unique index is the replay guard.
        jti TEXT UNIQUE,
        -- What was presented, when the signature held; kept for audit even on a replay.
        presented_jti TEXT,
        token_ref TEXT,
        amount INTEGER NOT NULL,
        currency TEXT NOT NULL,
        merchant TEXT NOT NULL,
        merchant_ref TEXT NOT NULL,
        decision TEXT NOT NULL CHECK (decision IN ('approved', 'declined')),
        reasons TEXT NOT NULL, -- JSON array of reason codes
        created_at TEXT NOT NULL
      );

      CREATE TABLE webhooks (
        id TEXT PRIMARY KEY,
        url TEXT NOT NULL,
        secret BLOB NOT NULL, -- AES-256-GCM bound to id
        created_at TEXT NOT NULL
      );
    `,
  },
];

export function migrateNetworkStore(db: Database.Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
  const applied = db.prepare('SELECT 1 FROM schema_migrations WHERE version = ?');
  const record = db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)');
  // IMMEDIATE takes the write lock before reading what is applied, so two processes opening the
  // same file cannot both apply the same version.
  db.transaction(() => {
    for (const migration of NETWORK_MIGRATIONS) {
      if (applied.get(migration.version) !== undefined) continue;
      db.exec(migration.sql);
      record.run(migration.version, new Date().toISOString());
    }
  }).immediate();
}
