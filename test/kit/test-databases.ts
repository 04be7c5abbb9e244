/**
 * Both SqlDatabase dialects for domain-store tests: a fresh SQLite file and a fresh PostgreSQL
 * schema on the machine's real server (DATABASE_URL, or the local default). PostgreSQL never
 * skips: an unreachable server fails the suite with instructions, since a skip looks green in CI.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { after, before, describe } from 'node:test';
import pg from 'pg';
import type { SqlDatabase } from '../../src/store/sql/sql-database.js';
import { SqliteDatabase } from '../../src/store/sql/sqlite-database.js';
import { PostgresDatabase } from '../../src/store/sql/postgres-database.js';

export const TEST_DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * `npm run test:unit` sets FACEKEY_TEST_DIALECTS=sqlite so the fast loop needs no server; the
 * PostgreSQL runs then show as skipped with this reason. `npm test` never sets it, so there
 * PostgreSQL is required and never skipped.
 */
export const POSTGRES_SKIP: string | false =
  process.env.FACEKEY_TEST_DIALECTS === 'sqlite' ? 'FACEKEY_TEST_DIALECTS=sqlite (npm run test:unit): PostgreSQL runs in npm test' : false;

export interface TestDatabase {
  readonly db: SqlDatabase;
  close(): Promise<void>;
}

export async function openSqliteTestDatabase(): Promise<TestDatabase> {
  const dir = mkdtempSync(path.join(tmpdir(), 'facekey-sql-'));
  const connection = new Database(path.join(dir, 'test.sqlite'));
  connection.pragma('journal_mode = WAL');
  connection.pragma('foreign_keys = ON');
  const db = new SqliteDatabase(connection, true);
  return {
    db,
    close: async () => {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function openPostgresTestDatabase(): Promise<TestDatabase> {
  const schema = `facekey_test_${randomBytes(6).toString('hex')}`;
  let db: PostgresDatabase;
  try {
    db = await PostgresDatabase.open({ connectionString: TEST_DATABASE_URL, schema, maxConnections: 4 });
  } catch (error) {
    throw new Error(
      `PostgreSQL is not reachable at ${TEST_DATABASE_URL.replace(/:[^:@/]*@/, ':***@')} (${String(error)}). ` +
        'Start it (CI: .ci/run starts the cluster) or point DATABASE_URL at a server; this suite does not skip.',
    );
  }
  return {
    db,
    close: async () => {
      await db.close();
      const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await admin.connect();
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
    },
  };
}

/**
 * Declares `suite` once per dialect. `suite` receives a getter for a database that is open before
 * the suite's own `before` hooks run (hooks run in registration order) and closed after its tests.
 */
export function forEachDialect(name: string, suite: (database: () => SqlDatabase) => void): void {
  for (const [dialect, open] of [
    ['sqlite', openSqliteTestDatabase],
    ['postgres', openPostgresTestDatabase],
  ] as const) {
    describe(`${name} (${dialect})`, { skip: dialect === 'postgres' ? POSTGRES_SKIP : false }, () => {
      let opened: TestDatabase | undefined;
      before(async () => {
        opened = await open();
      });
      after(async () => {
        await opened?.close();
      });
      suite(() => {
        if (!opened) throw new Error('the test database is not open');
        return opened.db;
      });
    });
  }
}
