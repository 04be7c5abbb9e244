import type Database from 'better-sqlite3';
import type { SqlDatabase, SqlExecutor, SqlValue } from './sql-database.js';
import type { SerialQueue } from './serial-queue.js';
import { connectionQueue } from '../sqlite/connection-queue.js';

/**
 * SqlDatabase over a better-sqlite3 connection, usually the biometric store's own: one connection
 * per file per process, so an async transaction here can never deadlock against a synchronous
 * write on a second connection. Transactions hold the connection's queue from BEGIN to COMMIT, and
 * every other write through the connection waits on that queue, so nothing interleaves with them.
 */
export class SqliteDatabase implements SqlDatabase {
  readonly dialect = 'sqlite' as const;
  private readonly queue: SerialQueue;
  private readonly executor: SqlExecutor;

  constructor(
    private readonly db: Database.Database,
    private readonly ownsConnection = false,
  ) {
    this.queue = connectionQueue(db);
    const statement = (sql: string) => db.prepare(sql);
    this.executor = {
      run: async (sql, params = []) => statement(sql).run(...(params as SqlValue[])).changes,
      all: async <Row>(sql: string, params: readonly SqlValue[] = []) => statement(sql).all(...(params as SqlValue[])) as Row[],
      get: async <Row>(sql: string, params: readonly SqlValue[] = []) => statement(sql).get(...(params as SqlValue[])) as Row | undefined,
    };
  }

  // Outside a transaction, statements wait for any open one (see connection-queue.ts).
  run(sql: string, params?: readonly SqlValue[]): Promise<number> {
    return this.queue.run(() => this.executor.run(sql, params));
  }
  all<Row>(sql: string, params?: readonly SqlValue[]): Promise<Row[]> {
    return this.queue.run(() => this.executor.all<Row>(sql, params));
  }
  get<Row>(sql: string, params?: readonly SqlValue[]): Promise<Row | undefined> {
    return this.queue.run(() => this.executor.get<Row>(sql, params));
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
