/**
 * Idempotency records, written once on the portable SQL port for both biometric store adapters.
 * A key is reserved ('pending', with a lease) before the request runs and completed with its
 * response afterwards; every record expires. Expiry instants are ISO-8601 UTC text from the
 * injected clock, which sorts in time order in both dialects.
 */
import { DEFAULT_IDEMPOTENCY_TTL_MS, type IdempotentRecord, type IdempotentReservation } from '../biometric-store.js';
import { isForeignKeyViolation, type SqlDatabase } from '../sql/sql-database.js';
import { checkDurationMs, serializeResponse } from '../store-arguments.js';
import { TenantNotFound } from '../store-errors.js';

export class SqlIdempotencyStore {
  constructor(
    private readonly db: SqlDatabase,
    private readonly clock: () => Date,
  ) {}

  async getIdempotent(tenantId: string, key: string): Promise<IdempotentRecord | undefined> {
    const row = await this.db.get<{ request_hash: string; response: string }>(
      `SELECT request_hash, response FROM idempotency_records
       WHERE tenant_id = ? AND idempotency_key = ? AND state = 'completed' AND expires_at > ?`,
      [tenantId, key, this.clock().toISOString()],
    );
    return row && { requestHash: row.request_hash, response: JSON.parse(row.response) as unknown };
  }

  async reserveIdempotent(tenantId: string, key: string, requestHash: string, leaseMs: number): Promise<IdempotentReservation> {
    checkDurationMs('leaseMs', leaseMs);
    // The insert claims the key unless an unexpired record holds it; then the read says which kind.
    // A purge can delete that record between the two statements: then the claim is tried again.
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        const outcome = await this.db.transaction(async (tx): Promise<IdempotentReservation | undefined> => {
          const at = this.clock();
          const claimed = await tx.run(
            `INSERT INTO idempotency_records (tenant_id, idempotency_key, request_hash, response, created_at, state, expires_at)
             VALUES (?, ?, ?, 'null', ?, 'pending', ?)
             ON CONFLICT (tenant_id, idempotency_key) DO UPDATE SET
               request_hash = excluded.request_hash, response = excluded.response, created_at = excluded.created_at,
               state = 'pending', expires_at = excluded.expires_at
             WHERE idempotency_records.expires_at <= excluded.created_at`,
            [tenantId, key, requestHash, at.toISOString(), new Date(at.getTime() + leaseMs).toISOString()],
          );
          if (claimed > 0) return { state: 'reserved' };
          const row = await tx.get<{ request_hash: string; response: string; state: string }>(
            `SELECT request_hash, response, state FROM idempotency_records
             WHERE tenant_id = ? AND idempotency_key = ? AND expires_at > ?`,
            [tenantId, key, at.toISOString()],
          );
          if (row?.state === 'completed') {
            return { state: 'completed', record: { requestHash: row.request_hash, response: JSON.parse(row.response) as unknown } };
          }
          return row && { state: 'pending', requestHash: row.request_hash };
        });
        if (outcome) return outcome;
      } catch (error) {
        if (isForeignKeyViolation(error)) throw new TenantNotFound('tenant not found');
        throw error;
      }
    }
    throw new Error('idempotency key kept changing hands while being reserved');
  }

  async putIdempotent(
    tenantId: string,
    key: string,
    requestHash: string,
    response: unknown,
    ttlMs = DEFAULT_IDEMPOTENCY_TTL_MS,
  ): Promise<IdempotentRecord> {
    const json = serializeResponse(response);
    checkDurationMs('ttlMs', ttlMs);
    const at = this.clock();
    try {
      await this.db.run(
        `INSERT INTO idempotency_records (tenant_id, idempotency_key, request_hash, response, created_at, state, expires_at)
         VALUES (?, ?, ?, ?, ?, 'completed', ?)
         ON CONFLICT (tenant_id, idempotency_key) DO UPDATE SET
           request_hash = excluded.request_hash, response = excluded.response, created_at = excluded.created_at,
           state = 'completed', expires_at = excluded.expires_at
         WHERE idempotency_records.state = 'pending' OR idempotency_records.expires_at <= excluded.created_at`,
        [tenantId, key, requestHash, json, at.toISOString(), new Date(at.getTime() + ttlMs).toISOString()],
      );
    } catch (error) {
      if (isForeignKeyViolation(error)) throw new TenantNotFound('tenant not found');
      throw error;
    }
    return (await this.getIdempotent(tenantId, key))!;
  }

  async releaseIdempotent(tenantId: string, key: string, requestHash: string): Promise<void> {
    await this.db.run(
      `DELETE FROM idempotency_records
       WHERE tenant_id = ? AND idempotency_key = ? AND request_hash = ? AND state = 'pending'`,
      [tenantId, key, requestHash],
    );
  }

  async purgeExpiredIdempotent(): Promise<number> {
    return this.db.run('DELETE FROM idempotency_records WHERE expires_at <= ?', [this.clock().toISOString()]);
  }
}
