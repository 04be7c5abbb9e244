/**
 * Versioned migrations per domain ("track"): the one migration style of the project. Each domain
 * owns its track, so domains evolve their tables independently; within a track the rules are the
 * usual ones: ordered, append-only, each pending version applied in one transaction with its
 * bookkeeping row. A track's SQL is portable unless the track belongs to one adapter (the
 * biometric vault keeps one list per dialect).
 */
import type { SqlDatabase, SqlExecutor } from './sql-database.js';

export interface SqlMigration {
  readonly version: number;
  /**
   * SQLite: statements separated by `;` at line ends, no `;` inside literals. PostgreSQL runs the
   * text as one simple query, so a function body may hold `;` anywhere.
   */
  readonly sql: string;
}

export interface MigrateOptions {
  /**
   * A `(version, applied_at)` table an older release kept for this track alone (the biometric
   * vault's `schema_migrations`): the first run under tracks adopts its versions, so a database
   * created by that release opens without reapplying anything.
   */
  readonly adoptLegacyTable?: string;
}

export async function migrateTrack(
  db: SqlDatabase,
  track: string,
  migrations: readonly SqlMigration[],
  { adoptLegacyTable }: MigrateOptions = {},
): Promise<void> {
  await db.transaction(async (tx) => {
    // Serializes processes migrating the same database: the second waits here, then finds the work
    // done. The bookkeeping table is created under the lock too: two concurrent CREATE TABLE IF NOT
    // EXISTS race in PostgreSQL's catalog.
    if (db.dialect === 'postgres') await tx.run("SELECT pg_advisory_xact_lock(hashtext('facekey_domain_migrations'))");
    await tx.run(
      'CREATE TABLE IF NOT EXISTS domain_migrations (track TEXT NOT NULL, version INTEGER NOT NULL, applied_at TEXT NOT NULL, PRIMARY KEY (track, version))',
    );
    let applied = await appliedVersions(tx, track);
    if (applied.size === 0 && adoptLegacyTable && (await tableExists(db, tx, adoptLegacyTable))) {
      for (const { version } of await tx.all<{ version: number }>(`SELECT version FROM ${adoptLegacyTable}`)) {
        await tx.run('INSERT INTO domain_migrations (track, version, applied_at) VALUES (?, ?, ?)', [
          track,
          Number(version),
          new Date().toISOString(),
        ]);
      }
      applied = await appliedVersions(tx, track);
    }
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (applied.has(migration.version)) continue;
      for (const statement of statementsOf(db, migration)) await tx.run(statement);
      await tx.run('INSERT INTO domain_migrations (track, version, applied_at) VALUES (?, ?, ?)', [
        track,
        migration.version,
        new Date().toISOString(),
      ]);
    }
  });
}

async function appliedVersions(tx: SqlExecutor, track: string): Promise<Set<number>> {
  return new Set(
    (await tx.all<{ version: number }>('SELECT version FROM domain_migrations WHERE track = ?', [track])).map((r) => Number(r.version)),
  );
}

async function tableExists(db: SqlDatabase, tx: SqlExecutor, table: string): Promise<boolean> {
  const found =
    db.dialect === 'postgres'
      ? await tx.get('SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ?', [table])
      : await tx.get("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [table]);
  return found !== undefined;
}

function statementsOf(db: SqlDatabase, migration: SqlMigration): string[] {
  // pg sends a query without parameters as a simple query, which may hold several statements.
  if (db.dialect === 'postgres') return [migration.sql];
  return migration.sql
    .split(/;\s*$/m)
    .map((s) => s.trim())
    .filter(Boolean);
}
