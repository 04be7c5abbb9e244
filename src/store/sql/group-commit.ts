/**
 * Group commit over a SqlDatabase: writes that arrive while a commit is under way wait and are
 * committed together in the next transaction, one savepoint each, so a failing write is rolled back
 * alone and the others still commit. Callers keep the same contract (a write's promise settles once
 * it is committed or refused); what changes is that N concurrent writes cost one commit, and so one
 * fsync on SQLite with `synchronous = FULL`, instead of N. Under low load every write is still its
 * own transaction, with no added wait: there is no timer, only "the previous commit finished".
 *
 * Reads pass straight through. A write's work runs inside the shared transaction and must use the
 * executor it is given, never this database (which would wait for the transaction it is part of).
 */
import type { SqlDatabase, SqlExecutor, SqlValue } from './sql-database.js';

interface QueuedWork {
  readonly work: (tx: SqlExecutor) => Promise<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

type Outcome = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };

/** Enough to amortise a commit, few enough that one transaction never holds the writer for long. */
const DEFAULT_MAX_WRITES_PER_COMMIT = 500;

export class GroupCommittingDatabase implements SqlDatabase {
  readonly dialect: SqlDatabase['dialect'];
  private queued: QueuedWork[] = [];
  private committing = false;
  private commits = 0;
  private writes = 0;

  constructor(
    private readonly base: SqlDatabase,
    private readonly maxWritesPerCommit = DEFAULT_MAX_WRITES_PER_COMMIT,
  ) {
    this.dialect = base.dialect;
  }

  /** Commits and the writes they carried, for metrics. */
  stats(): { readonly commits: number; readonly writes: number; readonly queued: number } {
    return { commits: this.commits, writes: this.writes, queued: this.queued.length };
  }

  run(sql: string, params?: readonly SqlValue[]): Promise<number> {
    return this.transaction((tx) => tx.run(sql, params));
  }

  all<Row>(sql: string, params?: readonly SqlValue[]): Promise<Row[]> {
    return this.base.all<Row>(sql, params);
  }

  get<Row>(sql: string, params?: readonly SqlValue[]): Promise<Row | undefined> {
    return this.base.get<Row>(sql, params);
  }

  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queued.push({ work, resolve: resolve as (value: unknown) => void, reject });
      this.commitQueued();
    });
  }

  close(): Promise<void> {
    return this.base.close();
  }

  private commitQueued(): void {
    if (this.committing || this.queued.length === 0) return;
    this.committing = true;
    const batch = this.queued.splice(0, this.maxWritesPerCommit);
    const outcomes: Outcome[] = [];
    this.base
      .transaction(async (tx) => {
        if (batch.length === 1) {
          // Alone, the write is the transaction: a failure rolls it back like before.
          outcomes.push({ ok: true, value: await batch[0]!.work(tx) });
          return;
        }
        for (const item of batch) {
          await tx.run('SAVEPOINT group_commit_write');
          try {
            const value = await item.work(tx);
            await tx.run('RELEASE SAVEPOINT group_commit_write');
            outcomes.push({ ok: true, value });
          } catch (error) {
            await tx.run('ROLLBACK TO SAVEPOINT group_commit_write');
            await tx.run('RELEASE SAVEPOINT group_commit_write');
            outcomes.push({ ok: false, error });
          }
        }
      })
      .then(
        () => {
          this.commits++;
          this.writes += batch.length;
          batch.forEach((item, i) => {
            const outcome = outcomes[i]!;
            if (outcome.ok) item.resolve(outcome.value);
            else item.reject(outcome.error);
          });
        },
        // The commit itself failed (or the lone write did): nothing of the batch is stored.
        (error: unknown) => {
          for (const item of batch) item.reject(error);
        },
      )
      .finally(() => {
        this.committing = false;
        this.commitQueued();
      });
  }
}
