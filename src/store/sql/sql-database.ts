/**
 * A deliberately small SQL port for the platform's domain stores (consent, devices, payments,
 * audit, and the tenants, API keys and idempotency records every biometric store holds). Each of those stores is written once, in SQL both SQLite and PostgreSQL accept, and runs
 * on either adapter; the biometric store keeps its own two adapters because it does things only
 * one dialect can (NOTIFY triggers, row locks, secure_delete).
 *
 * Portable-SQL rules for callers: `?` placeholders (never inside string literals), TEXT and
 * BIGINT/INTEGER columns only, times as ISO-8601 TEXT (sorts correctly), JSON as TEXT, and
 * `INSERT … ON CONFLICT DO NOTHING` / `RETURNING` where needed — both dialects support them.
 */

export type SqlValue = string | number | null;

export interface SqlExecutor {
  /** Runs a statement; resolves to the number of rows it changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
  all<Row>(sql: string, params?: readonly SqlValue[]): Promise<Row[]>;
  get<Row>(sql: string, params?: readonly SqlValue[]): Promise<Row | undefined>;
}

export interface SqlDatabase extends SqlExecutor {
  readonly dialect: 'sqlite' | 'postgres';
  /**
   * Runs `work` in one transaction that holds the database's write lock from its first statement
   * (SQLite: BEGIN IMMEDIATE; PostgreSQL: the rows it updates), committing on success and rolling
   * back on any error. Transactions of one process run one at a time.
   */
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** A unique or primary-key constraint refused a row, in either dialect. */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** A foreign key refused a row (its parent does not exist), in either dialect. */
export function isForeignKeyViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23503' || code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}
