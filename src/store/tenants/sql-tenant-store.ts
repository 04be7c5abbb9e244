/**
 * Tenants and their API keys, written once on the portable SQL port: both biometric store
 * adapters hold these rows in the same database as their vault (subjects reference tenants), and
 * delegate here rather than spell the same SQL twice. Times are ISO-8601 text from the injected clock.
 */
import { randomUUID } from 'node:crypto';
import type { ApiKeyRecord, NewApiKey, Tenant } from '../biometric-store.js';
import { isForeignKeyViolation, isUniqueViolation, type SqlDatabase } from '../sql/sql-database.js';
import { ApiKeyIdTaken, TenantNotFound } from '../store-errors.js';

interface ApiKeyRow {
  key_id: string;
  tenant_id: string | null;
  scopes: string; // JSON array of strings
  secret_hash: string;
  label: string | null;
  created_at: string;
  revoked_at: string | null;
}

export class SqlTenantStore {
  constructor(
    private readonly db: SqlDatabase,
    private readonly clock: () => Date,
  ) {}

  async createTenant({ name }: { name: string }): Promise<Tenant> {
    const tenant: Tenant = { id: randomUUID(), name, createdAt: this.clock().toISOString() };
    await this.db.run('INSERT INTO tenants (id, name, created_at) VALUES (?, ?, ?)', [tenant.id, tenant.name, tenant.createdAt]);
    return tenant;
  }

  async getTenant(id: string): Promise<Tenant | undefined> {
    const row = await this.db.get<{ id: string; name: string; created_at: string }>(
      'SELECT id, name, created_at FROM tenants WHERE id = ?',
      [id],
    );
    return row && { id: row.id, name: row.name, createdAt: row.created_at };
  }

  async createApiKey(input: NewApiKey): Promise<ApiKeyRecord> {
    const record: ApiKeyRecord = {
      keyId: input.keyId,
      tenantId: input.tenantId,
      scopes: [...input.scopes],
      secretHash: input.secretHash,
      label: input.label ?? null,
      createdAt: this.clock().toISOString(),
      revokedAt: null,
    };
    try {
      await this.db.run('INSERT INTO api_keys (key_id, tenant_id, scopes, secret_hash, label, created_at) VALUES (?, ?, ?, ?, ?, ?)', [
        record.keyId,
        record.tenantId,
        JSON.stringify(record.scopes),
        record.secretHash,
        record.label,
        record.createdAt,
      ]);
    } catch (error) {
      if (isUniqueViolation(error)) throw new ApiKeyIdTaken('an API key with this key id exists');
      if (isForeignKeyViolation(error)) throw new TenantNotFound('tenant not found');
      throw error;
    }
    return record;
  }

  async findApiKey(keyId: string): Promise<ApiKeyRecord | undefined> {
    const row = await this.db.get<ApiKeyRow>(
      'SELECT key_id, tenant_id, scopes, secret_hash, label, created_at, revoked_at FROM api_keys WHERE key_id = ?',
      [keyId],
    );
    return row && toApiKey(row);
  }

  async revokeApiKey(keyId: string): Promise<boolean> {
    const changed = await this.db.run('UPDATE api_keys SET revoked_at = coalesce(revoked_at, ?) WHERE key_id = ?', [
      this.clock().toISOString(),
      keyId,
    ]);
    return changed > 0;
  }
}

function toApiKey(row: ApiKeyRow): ApiKeyRecord {
  return {
    keyId: row.key_id,
    tenantId: row.tenant_id,
    scopes: JSON.parse(row.scopes) as string[],
    secretHash: row.secret_hash,
    label: row.label,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
  };
}
