import type Database from 'better-sqlite3';
import type { SqlDatabase, SqlExecutor, SqlValue } from './sql-database.js';
import { SerialQueue } from './serial-queue.js';

/**
 * SqlDatabase over a better-sqlite3 connection, usually the biometric store's own: one connection
 * per file per process, so an async transaction here can never deadlock against a synchronous
 * write on a second connection. Explicit transactions are serialized by a queue, so two of them
 * never interleave their statements.
 */
export class SqliteDatabase implements SqlDatabase {
  readonly dialect = 'sqlite' as const;
  private readonly queue = new SerialQueue();
  private readonly executor: SqlExecutor;

  constructor(
    private readonly db: Database.Database,
    private readonly ownsConnection = false,
  ) {
    const statement = (sql: string) => db.prepare(sql);
    this.executor = {
      run: async (sql, params = []) => statement(sql).run(...(params as SqlValue[])).changes,
      all: async <Row>(sql: string, params: readonly SqlValue[] = []) => statement(sql).all(...(params as SqlValue[])) as Row[],
      get: async <Row>(sql: string, params: readonly SqlValue[] = []) => statement(sql).get(...(params as SqlValue[])) as Row | undefined,
    };
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
    return this.queue.run(async () => {
      this.db.exec('BEGIN IMMEDIATE');
      try {
        const result = await work(this.executor);
        this.db.exec('COMMIT');
        return result;
      } catch (error) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw error;
      }
    });
  }

  async close(): Promise<void> {
    if (this.ownsConnection && this.db.open) this.db.close();
  }
}
