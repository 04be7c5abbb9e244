import pg from 'pg';
import type { SqlDatabase, SqlExecutor, SqlValue } from './sql-database.js';
import { inTransaction } from '../postgres/transaction.js';
import { checkSchemaName } from '../postgres/schema-name.js';

const INT8_OID = 20;

/** `?` → `$1, $2, …`; callers never put `?` inside a literal (see sql-database.ts). */
export function toPostgresPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

function executorOf(client: pg.Pool | pg.PoolClient): SqlExecutor {
  return {
    run: async (sql, params = []) => (await client.query(toPostgresPlaceholders(sql), params as SqlValue[])).rowCount ?? 0,
    all: async <Row>(sql: string, params: readonly SqlValue[] = []) =>
      (await client.query(toPostgresPlaceholders(sql), params as SqlValue[])).rows as Row[],
    get: async <Row>(sql: string, params: readonly SqlValue[] = []) =>
      (await client.query(toPostgresPlaceholders(sql), params as SqlValue[])).rows[0] as Row | undefined,
  };
}

/** SqlDatabase over a pg Pool whose connections use one schema; BIGINT comes back as a number. */
export class PostgresDatabase implements SqlDatabase {
  readonly dialect = 'postgres' as const;
  private readonly pool: pg.Pool;
  private readonly executor: SqlExecutor;

  constructor({
    connectionString,
    schema = 'public',
    maxConnections = 10,
  }: {
    connectionString: string;
    schema?: string;
    maxConnections?: number;
  }) {
    const types = {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    };
    this.pool = new pg.Pool({ connectionString, max: maxConnections, options: `-c search_path=${checkSchemaName(schema)}`, types });
    // An idle client's network error must not crash the process; the pool has already dropped it.
    this.pool.on('error', () => undefined);
    this.executor = executorOf(this.pool);
  }

  /** Connects, creating the schema if it is missing. */
  static async open(options: { connectionString: string; schema?: string; maxConnections?: number }): Promise<PostgresDatabase> {
    const db = new PostgresDatabase(options);
    try {
      // Under a lock: two CREATE SCHEMA IF NOT EXISTS at once race in PostgreSQL's catalog.
      await db.transaction(async (tx) => {
        await tx.run("SELECT pg_advisory_xact_lock(hashtext('facekey_create_schema'))");
        await tx.run(`CREATE SCHEMA IF NOT EXISTS ${checkSchemaName(options.schema ?? 'public')}`);
      });
    } catch (error) {
      await db.close();
      throw error;
    }
    return db;
  }

  /** The pool itself, for the PostgreSQL vault adapter: row locks, bytea and its own transactions. */
  get connectionPool(): pg.Pool {
    return this.pool;
  }

  run(sql: string, params?: readonly SqlValue[]): Promise<number> {
    return this.executor.run(sql, params);
  }
  all<Row>(sql: string, params?: readonly SqlValue[]): Promise<Row[]> {
    return this.executor.all<Row>(sql, params);
  }
  get<Row>(sql: string, params?: readonly SqlValue[]): Promise<Row | undefined> {
    return this.executor.get<Row>(sql, params);
  }

  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return inTransaction(this.pool, (client) => work(executorOf(client)));
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
