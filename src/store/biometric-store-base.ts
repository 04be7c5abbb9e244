/**
 * What both biometric store adapters share: tenants, API keys and idempotency records live in the
 * same database as the vault (subjects reference tenants) but are written once, on the portable
 * SQL port. An adapter extends this, hands over its SqlDatabase and the platform's clock, and
 * writes only the vault (subjects, data keys, templates, retained images), declaring
 * `implements BiometricStore` so the compiler checks the whole port.
 */
import type { ApiKeyRecord, IdempotentRecord, IdempotentReservation, NewApiKey, Tenant } from './biometric-store.js';
import { SqlIdempotencyStore } from './idempotency/sql-idempotency-store.js';
import type { SqlDatabase } from './sql/sql-database.js';
import { SqlTenantStore } from './tenants/sql-tenant-store.js';

/** The biometric vault's migration track in domain_migrations; the same name in both dialects. */
export const VAULT_TRACK = 'biometric';

export abstract class BiometricStoreBase {
  private readonly tenants: SqlTenantStore;
  private readonly idempotency: SqlIdempotencyStore;

  protected constructor(
    /** The adapter's own database through the portable port; domain stores may share it. */
    readonly sql: SqlDatabase,
    protected readonly clock: () => Date,
  ) {
    this.tenants = new SqlTenantStore(sql, clock);
    this.idempotency = new SqlIdempotencyStore(sql, clock);
  }

  createTenant(input: { name: string }): Promise<Tenant> {
    return this.tenants.createTenant(input);
  }
  getTenant(id: string): Promise<Tenant | undefined> {
    return this.tenants.getTenant(id);
  }
  createApiKey(input: NewApiKey): Promise<ApiKeyRecord> {
    return this.tenants.createApiKey(input);
  }
  findApiKey(keyId: string): Promise<ApiKeyRecord | undefined> {
    return this.tenants.findApiKey(keyId);
  }
  revokeApiKey(keyId: string): Promise<boolean> {
    return this.tenants.revokeApiKey(keyId);
  }

  getIdempotent(tenantId: string, key: string): Promise<IdempotentRecord | undefined> {
    return this.idempotency.getIdempotent(tenantId, key);
  }
  reserveIdempotent(tenantId: string, key: string, requestHash: string, leaseMs: number): Promise<IdempotentReservation> {
    return this.idempotency.reserveIdempotent(tenantId, key, requestHash, leaseMs);
  }
  putIdempotent(tenantId: string, key: string, requestHash: string, response: unknown, ttlMs?: number): Promise<IdempotentRecord> {
    return this.idempotency.putIdempotent(tenantId, key, requestHash, response, ttlMs);
  }
  releaseIdempotent(tenantId: string, key: string, requestHash: string): Promise<void> {
    return this.idempotency.releaseIdempotent(tenantId, key, requestHash);
  }
  purgeExpiredIdempotent(): Promise<number> {
    return this.idempotency.purgeExpiredIdempotent();
  }
}
