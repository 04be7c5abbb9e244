import type { SqlDatabase } from '../store/sql/sql-database.js';
import { migrateTrack } from '../store/sql/sql-migrations.js';
import { PAYMENT_MIGRATIONS, PAYMENTS_TRACK } from './payment-migrations.js';

export type SecondFactorKind = 'pin' | 'phone_last4';
export type LockScope = 'subject' | 'terminal' | 'second_factor';

export interface FailureState {
  readonly failures: number;
  readonly lockedUntil: string | null;
}

/**
 * What the payment side keeps about a consumer: opaque network token references (never card
 * data), keyed second-factor lookups (never the PIN or digits themselves), and failure counters
 * for lockout.
 */
export class PaymentStore {
  constructor(private readonly db: SqlDatabase) {}

  migrate(): Promise<void> {
    return migrateTrack(this.db, PAYMENTS_TRACK, PAYMENT_MIGRATIONS);
  }

  async linkToken(tenantId: string, subjectId: string, tokenRef: string, at: string): Promise<void> {
    await this.db.run(
      'INSERT INTO payment_tokens (tenant_id, subject_id, token_ref, linked_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
      [tenantId, subjectId, tokenRef, at],
    );
  }

  async unlinkToken(tenantId: string, subjectId: string, tokenRef: string): Promise<boolean> {
    return (
      (await this.db.run('DELETE FROM payment_tokens WHERE tenant_id = ? AND subject_id = ? AND token_ref = ?', [
        tenantId,
        subjectId,
        tokenRef,
      ])) > 0
    );
  }

  /** Newest first: the last card linked is the one a face payment uses. */
  async tokens(tenantId: string, subjectId: string): Promise<Array<{ tokenRef: string; linkedAt: string }>> {
    const rows = await this.db.all<{ token_ref: string; linked_at: string }>(
      'SELECT token_ref, linked_at FROM payment_tokens WHERE tenant_id = ? AND subject_id = ? ORDER BY linked_at DESC, token_ref',
      [tenantId, subjectId],
    );
    return rows.map((r) => ({ tokenRef: r.token_ref, linkedAt: r.linked_at }));
  }

  async setSecondFactor(tenantId: string, subjectId: string, kind: SecondFactorKind, lookup: string, at: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.run('DELETE FROM second_factors WHERE tenant_id = ? AND subject_id = ? AND kind = ?', [tenantId, subjectId, kind]);
      await tx.run('INSERT INTO second_factors (tenant_id, subject_id, kind, lookup, set_at) VALUES (?, ?, ?, ?, ?)', [
        tenantId,
        subjectId,
        kind,
        lookup,
        at,
      ]);
    });
  }

  async secondFactorKinds(tenantId: string, subjectId: string): Promise<SecondFactorKind[]> {
    const rows = await this.db.all<{ kind: SecondFactorKind }>(
      'SELECT kind FROM second_factors WHERE tenant_id = ? AND subject_id = ? ORDER BY kind',
      [tenantId, subjectId],
    );
    return rows.map((r) => r.kind);
  }

  /** The subjects of the tenant whose factor of this kind has this lookup value: the narrowed gallery. */
  async subjectsWithFactor(tenantId: string, kind: SecondFactorKind, lookup: string): Promise<string[]> {
    const rows = await this.db.all<{ subject_id: string }>(
      'SELECT subject_id FROM second_factors WHERE tenant_id = ? AND kind = ? AND lookup = ? ORDER BY subject_id',
      [tenantId, kind, lookup],
    );
    return rows.map((r) => r.subject_id);
  }

  /** Everything held for the subject, removed; returns how many token links went. */
  async eraseSubject(tenantId: string, subjectId: string): Promise<{ tokensUnlinked: number }> {
    return this.db.transaction(async (tx) => {
      const tokensUnlinked = await tx.run('DELETE FROM payment_tokens WHERE tenant_id = ? AND subject_id = ?', [tenantId, subjectId]);
      await tx.run('DELETE FROM second_factors WHERE tenant_id = ? AND subject_id = ?', [tenantId, subjectId]);
      await tx.run("DELETE FROM failure_counters WHERE scope = 'subject' AND scope_id = ?", [subjectId]);
      return { tokensUnlinked };
    });
  }

  async failureState(scope: LockScope, id: string): Promise<FailureState> {
    const row = await this.db.get<{ failures: number; locked_until: string | null }>(
      'SELECT failures, locked_until FROM failure_counters WHERE scope = ? AND scope_id = ?',
      [scope, id],
    );
    return { failures: Number(row?.failures ?? 0), lockedUntil: row?.locked_until ?? null };
  }

  /** Counts one failure; at `maxFailures` the scope locks until `lockUntil` and the count restarts. */
  async recordFailure(scope: LockScope, id: string, maxFailures: number, at: string, lockUntil: string): Promise<FailureState> {
    return this.db.transaction(async (tx) => {
      await tx.run(
        'INSERT INTO failure_counters (scope, scope_id, failures, locked_until, updated_at) VALUES (?, ?, 0, NULL, ?) ON CONFLICT DO NOTHING',
        [scope, id, at],
      );
      await tx.run('UPDATE failure_counters SET failures = failures + 1, updated_at = ? WHERE scope = ? AND scope_id = ?', [at, scope, id]);
      const row = await tx.get<{ failures: number }>('SELECT failures FROM failure_counters WHERE scope = ? AND scope_id = ?', [scope, id]);
      const failures = Number(row!.failures);
      if (failures < maxFailures) return { failures, lockedUntil: null };
      await tx.run('UPDATE failure_counters SET failures = 0, locked_until = ? WHERE scope = ? AND scope_id = ?', [lockUntil, scope, id]);
      return { failures, lockedUntil: lockUntil };
    });
  }

  /** A success forgets past failures, but never lifts a lock that is still running. */
  async clearFailures(scope: LockScope, id: string, at: string): Promise<void> {
    await this.db.run('DELETE FROM failure_counters WHERE scope = ? AND scope_id = ? AND (locked_until IS NULL OR locked_until <= ?)', [
      scope,
      id,
      at,
    ]);
  }
}
