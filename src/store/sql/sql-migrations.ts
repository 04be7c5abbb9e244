/**
 * Versioned migrations per domain ("track"), in portable SQL. Each domain owns its track, so
 * domains evolve their tables independently; within a track the rules are the usual ones: ordered,
 * append-only, each pending version applied in one transaction with its bookkeeping row.
 */
import type { SqlDatabase } from './sql-database.js';

export interface SqlMigration {
  readonly version: number;
  /** Statements separated by `;` at line ends; no `;` inside literals. */
  readonly sql: string;
}

export async function migrateTrack(db: SqlDatabase, track: string, migrations: readonly SqlMigration[]): Promise<void> {
  await db.transaction(async (tx) => {
    // Serializes processes migrating the same database: the second waits here, then finds the work
    // done. The bookkeeping table is created under the lock too: two concurrent CREATE TABLE IF NOT
    // EXISTS race in PostgreSQL's catalog.
    if (db.dialect === 'postgres') await tx.run("SELECT pg_advisory_xact_lock(hashtext('facekey_domain_migrations'))");
    await tx.run(
      'CREATE TABLE IF NOT EXISTS domain_migrations (track TEXT NOT NULL, version INTEGER NOT NULL, applied_at TEXT NOT NULL, PRIMARY KEY (track, version))',
    );
    const applied = new Set(
      (await tx.all<{ version: number }>('SELECT version FROM domain_migrations WHERE track = ?', [track])).map((r) => Number(r.version)),
    );
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (applied.has(migration.version)) continue;
      for (const statement of migration.sql
        .split(/;\s*$/m)
        .map((s) => s.trim())
        .filter(Boolean))
        await tx.run(statement);
      await tx.run('INSERT INTO domain_migrations (track, version, applied_at) VALUES (?, ?, ?)', [
        track,
        migration.version,
        new Date().toISOString(),
      ]);
    }
  });
}
