/**
 * The scale-out adapter: PostgreSQL through a pg Pool, all tables in one schema (the pool sets
 * search_path on every connection). Read-then-write operations run in explicit transactions on
 * one client and lock the subject row, so concurrent requests on any number of service instances
 * cannot exceed a subject's template limit or add to a subject being deleted.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { PoolClient } from 'pg';
import type {
  ApiKeyRecord,
  BiometricStore,
  GalleryEntry,
  GalleryQuery,
  IdempotentRecord,
  IdempotentReservation,
  NewApiKey,
  NewSubject,
  NewTemplate,
  Page,
  PageRequest,
  RetainedImage,
  StoredTemplate,
  Subject,
  Tenant,
} from '../biometric-store.js';
import { DEFAULT_IDEMPOTENCY_TTL_MS } from '../biometric-store.js';
import {
  checkDurationMs,
  checkImage,
  checkInstant,
  checkMaxPerSubject,
  checkPageLimit,
  serializeResponse,
  toPage,
} from '../store-arguments.js';
import { InvalidArgument } from '../../errors/domain-errors.js';
import { ApiKeyIdTaken, ExternalRefTaken, SubjectNotFound, TemplateLimitReached, TenantNotFound } from '../store-errors.js';
import { newWrappedSubjectKey, openForSubject, sealForSubject, sealImageForSubject } from '../subject-encryption.js';
import { migratePostgres } from './migrations.js';
import { checkSchemaName } from './schema-name.js';
import { inTransaction } from './transaction.js';

export interface PostgresStoreOptions {
  connectionString: string;
  masterKey: Buffer;
  /** Schema holding every table; created by the migrations. Default `public`. */
  schema?: string;
  maxConnections?: number;
}

const GALLERY_BATCH = 500;
const UNIQUE_VIOLATION = '23505';
const FOREIGN_KEY_VIOLATION = '23503';

interface SubjectRow {
  id: string;
  tenant_id: string;
  external_ref: string;
  consent_id: string;
  created_at: Date;
}

interface ApiKeyRow {
  key_id: string;
  tenant_id: string | null;
  scopes: string[];
  secret_hash: string;
  label: string | null;
  created_at: Date;
  revoked_at: Date | null;
}

export class PostgresStore implements BiometricStore {
  readonly schema: string;
  private readonly pool: pg.Pool;
  private readonly masterKey: Buffer;

  /** Connects lazily; call migrate() (or use PostgresStore.open) before first use. */
  constructor({ connectionString, masterKey, schema = 'public', maxConnections = 10 }: PostgresStoreOptions) {
    this.schema = checkSchemaName(schema);
    this.masterKey = masterKey;
    this.pool = new pg.Pool({ connectionString, max: maxConnections, options: `-c search_path=${this.schema}` });
    // Without a listener, an idle client's network error would crash the process. The pool has
    // already discarded that client; the next query simply opens a new connection.
    this.pool.on('error', () => undefined);
  }

  static async open(options: PostgresStoreOptions): Promise<PostgresStore> {
    const store = new PostgresStore(options);
    try {
      await store.migrate();
    } catch (error) {
      await store.close();
      throw error;
    }
    return store;
  }

  async migrate(): Promise<void> {
    await migratePostgres(this.pool, this.schema);
  }

  async createTenant({ name }: { name: string }): Promise<Tenant> {
    const { rows } = await this.pool.query<{ id: string; name: string; created_at: Date }>(
      'INSERT INTO tenants (id, name) VALUES ($1, $2) RETURNING id, name, created_at',
      [randomUUID(), name],
    );
    return toTenant(rows[0]!);
  }

  async getTenant(id: string): Promise<Tenant | undefined> {
    const { rows } = await this.pool.query<{ id: string; name: string; created_at: Date }>(
      'SELECT id, name, created_at FROM tenants WHERE id = $1',
      [id],
    );
    return rows[0] && toTenant(rows[0]);
  }

  async createApiKey(input: NewApiKey): Promise<ApiKeyRecord> {
    try {
      const { rows } = await this.pool.query<ApiKeyRow>(
        `INSERT INTO api_keys (key_id, tenant_id, scopes, secret_hash, label) VALUES ($1, $2, $3, $4, $5) RETURNING *`,
        [input.keyId, input.tenantId, input.scopes, input.secretHash, input.label ?? null],
      );
      return toApiKey(rows[0]!);
    } catch (error) {
      if (pgCode(error) === UNIQUE_VIOLATION) throw new ApiKeyIdTaken('an API key with this key id exists');
      if (pgCode(error) === FOREIGN_KEY_VIOLATION) throw new TenantNotFound('tenant not found');
      throw error;
    }
  }

  async findApiKey(keyId: string): Promise<ApiKeyRecord | undefined> {
    const { rows } = await this.pool.query<ApiKeyRow>('SELECT * FROM api_keys WHERE key_id = $1', [keyId]);
    return rows[0] && toApiKey(rows[0]);
  }

  async revokeApiKey(keyId: string): Promise<boolean> {
    const { rowCount } = await this.pool.query('UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE key_id = $1', [keyId]);
    return (rowCount ?? 0) > 0;
  }

  async createSubject({ tenantId, externalRef, consentId }: NewSubject): Promise<Subject> {
    const id = randomUUID();
    const wrappedKey = newWrappedSubjectKey(this.masterKey, tenantId, id);
    try {
      return await inTransaction(this.pool, async (client) => {
        const { rows } = await client.query<SubjectRow>(
          'INSERT INTO subjects (id, tenant_id, external_ref, consent_id) VALUES ($1, $2, $3, $4) RETURNING *',
          [id, tenantId, externalRef, consentId],
        );
        await client.query('INSERT INTO subject_keys (subject_id, wrapped_key) VALUES ($1, $2)', [id, wrappedKey]);
        return toSubject(rows[0]!);
      });
    } catch (error) {
      if (pgCode(error) === UNIQUE_VIOLATION) throw new ExternalRefTaken('externalRef is already used in this tenant');
      if (pgCode(error) === FOREIGN_KEY_VIOLATION) throw new TenantNotFound('tenant not found');
      throw error;
    }
  }

  async getSubject(tenantId: string, id: string): Promise<Subject | undefined> {
    const { rows } = await this.pool.query<SubjectRow>('SELECT * FROM subjects WHERE tenant_id = $1 AND id = $2', [tenantId, id]);
    return rows[0] && toSubject(rows[0]);
  }

  async listSubjects(tenantId: string, { limit, after }: PageRequest): Promise<Page<Subject>> {
    checkPageLimit(limit);
    //: byte order, the same order SQLite uses, whatever the database's locale.
    const { rows } = await this.pool.query<SubjectRow>('SELECT * FROM subjects WHERE tenant_id = $1 AND id > $2 ORDER BY id LIMIT $3', [
      tenantId,
      after ?? '',
      limit + 1,
    ]);
    return toPage(rows.map(toSubject), limit);
  }

  async deleteSubject(tenantId: string, id: string): Promise<boolean> {
    return inTransaction(this.pool, async (client) => {
      // Locking the subject waits out any addTemplate in flight and makes later ones see it gone.
      const locked = await client.query('SELECT 1 FROM subjects WHERE tenant_id = $1 AND id = $2 FOR UPDATE', [tenantId, id]);
      if (locked.rowCount === 0) return false;
      await client.query('DELETE FROM subject_keys WHERE subject_id = $1', [id]);
      await client.query('DELETE FROM retained_images WHERE tenant_id = $1 AND subject_id = $2', [tenantId, id]);
      await client.query('DELETE FROM templates WHERE tenant_id = $1 AND subject_id = $2', [tenantId, id]);
      await client.query('DELETE FROM subjects WHERE tenant_id = $1 AND id = $2', [tenantId, id]);
      return true;
    });
  }

  async addTemplate(input: NewTemplate): Promise<{ templateId: string }> {
    const { tenantId, subjectId, engineId, engineVersion, template } = input;
    const maxPerSubject = checkMaxPerSubject(input.maxPerSubject);
    return inTransaction(this.pool, async (client) => {
      // FOR UPDATE on the subject row serializes every add for this subject, so the count below
      // cannot be raced by another transaction (READ COMMITTED would otherwise let both insert).
      const wrappedKey = await wrappedKeyOf(client, tenantId, subjectId, 'FOR UPDATE OF s');
      const { rows } = await client.query<{ count: number }>(
        'SELECT count(*)::int AS count FROM templates WHERE subject_id = $1 AND engine_id = $2',
        [subjectId, engineId],
      );
      if (rows[0]!.count >= maxPerSubject) {
        throw new TemplateLimitReached(`subject already has ${maxPerSubject} templates for this engine`, { engineId, maxPerSubject });
      }
      const templateId = randomUUID();
      const ciphertext = sealForSubject(this.masterKey, wrappedKey, { tenantId, subjectId, templateId }, template);
      await client.query(
        `INSERT INTO templates (id, tenant_id, subject_id, engine_id, engine_version, ciphertext) VALUES ($1, $2, $3, $4, $5, $6)`,
        [templateId, tenantId, subjectId, engineId, engineVersion, ciphertext],
      );
      return { templateId };
    });
  }

  async listTemplates(tenantId: string, subjectId: string): Promise<StoredTemplate[]> {
    // One snapshot for key and templates, so a concurrent delete cannot split them.
    return inTransaction(this.pool, async (client) => {
      await client.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
      const wrappedKey = await wrappedKeyOf(client, tenantId, subjectId, '');
      const { rows } = await client.query<{ id: string; engine_id: string; engine_version: string; ciphertext: Buffer; created_at: Date }>(
        `SELECT id, engine_id, engine_version, ciphertext, created_at FROM templates
         WHERE tenant_id = $1 AND subject_id = $2 ORDER BY created_at, id`,
        [tenantId, subjectId],
      );
      return rows.map((row) => ({
        templateId: row.id,
        engineId: row.engine_id,
        engineVersion: row.engine_version,
        template: openForSubject(this.masterKey, wrappedKey, { tenantId, subjectId, templateId: row.id }, row.ciphertext),
        createdAt: row.created_at.toISOString(),
      }));
    });
  }

  async *scanGallery({ tenantId, engineId, engineVersion }: GalleryQuery): AsyncGenerator<GalleryEntry> {
    // Keyset pagination: each batch is a short query on any pooled connection, so a slow consumer
    // never pins a connection or a long-running snapshot the way a server-side cursor would.
    let after = '';
    for (;;) {
      const { rows } = await this.pool.query<{
        id: string;
        tenant_id: string;
        subject_id: string;
        ciphertext: Buffer;
        wrapped_key: Buffer;
      }>(
        `SELECT t.id, t.tenant_id, t.subject_id, t.ciphertext, k.wrapped_key
         FROM templates t JOIN subject_keys k ON k.subject_id = t.subject_id
         WHERE t.engine_id = $1 AND t.engine_version = $2 AND ($3::text IS NULL OR t.tenant_id = $3)
           AND t.id > $4
         ORDER BY t.id LIMIT $5`,
        [engineId, engineVersion, tenantId ?? null, after, GALLERY_BATCH],
      );
      for (const row of rows) {
        const templateRow = { tenantId: row.tenant_id, subjectId: row.subject_id, templateId: row.id };
        yield { ...templateRow, template: openForSubject(this.masterKey, row.wrapped_key, templateRow, row.ciphertext) };
      }
      if (rows.length < GALLERY_BATCH) return;
      after = rows[rows.length - 1]!.id;
    }
  }

  async retainImage({ tenantId, subjectId, templateId, image, expiresAt }: RetainedImage): Promise<{ imageId: string }> {
    checkImage(image);
    const expires = checkInstant('expiresAt', expiresAt);
    return inTransaction(this.pool, async (client) => {
      // FOR SHARE on the subject: a concurrent deleteSubject (FOR UPDATE) waits for this insert, or
      // this call waits for the delete and then finds no subject; an image never outlives its key.
      const wrappedKey = await wrappedKeyOf(client, tenantId, subjectId, 'FOR SHARE OF s');
      const owned = await client.query('SELECT 1 FROM templates WHERE tenant_id = $1 AND subject_id = $2 AND id = $3', [
        tenantId,
        subjectId,
        templateId,
      ]);
      if (owned.rowCount === 0) throw new InvalidArgument('templateId is not a template of this subject');
      const imageId = randomUUID();
      const ciphertext = sealImageForSubject(this.masterKey, wrappedKey, { tenantId, subjectId, templateId, imageId }, image);
      await client.query(
        `INSERT INTO retained_images (id, tenant_id, subject_id, template_id, ciphertext, expires_at) VALUES ($1, $2, $3, $4, $5, $6)`,
        [imageId, tenantId, subjectId, templateId, ciphertext, expires],
      );
      return { imageId };
    });
  }

  async countRetainedImages(tenantId: string, subjectId: string): Promise<number> {
    const { rows } = await this.pool.query<{ count: number }>(
      'SELECT count(*)::int AS count FROM retained_images WHERE tenant_id = $1 AND subject_id = $2',
      [tenantId, subjectId],
    );
    return rows[0]!.count;
  }

  async purgeExpiredImages(now: string): Promise<number> {
    const cutoff = checkInstant('now', now);
    const result = await this.pool.query('DELETE FROM retained_images WHERE expires_at <= $1', [cutoff]);
    return result.rowCount ?? 0;
  }

  async getIdempotent(tenantId: string, key: string): Promise<IdempotentRecord | undefined> {
    const { rows } = await this.pool.query<{ request_hash: string; response: unknown }>(
      `SELECT request_hash, response FROM idempotency_records
       WHERE tenant_id = $1 AND idempotency_key = $2 AND state = 'completed' AND expires_at > now()`,
      [tenantId, key],
    );
    return rows[0] && { requestHash: rows[0].request_hash, response: rows[0].response };
  }

  async reserveIdempotent(tenantId: string, key: string, requestHash: string, leaseMs: number): Promise<IdempotentReservation> {
    checkDurationMs('leaseMs', leaseMs);
    // The upsert either claims the key (absent or expired) or waits for a concurrent claim to
    // commit and changes nothing; the loser then reads what holds the key. If that row lapses or is
    // released in between, the read finds nothing and the claim is tried again.
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        const claimed = await this.pool.query(
          `INSERT INTO idempotency_records (tenant_id, idempotency_key, request_hash, response, state, expires_at)
           VALUES ($1, $2, $3, 'null'::jsonb, 'pending', now() + $4 * interval '1 millisecond')
           ON CONFLICT (tenant_id, idempotency_key) DO UPDATE SET
             request_hash = excluded.request_hash, response = excluded.response, created_at = now(),
             state = 'pending', expires_at = excluded.expires_at
           WHERE idempotency_records.expires_at <= now()
           RETURNING 1`,
          [tenantId, key, requestHash, leaseMs],
        );
        if (claimed.rowCount === 1) return { state: 'reserved' };
      } catch (error) {
        if (pgCode(error) === FOREIGN_KEY_VIOLATION) throw new TenantNotFound('tenant not found');
        throw error;
      }
      const { rows } = await this.pool.query<{ request_hash: string; response: unknown; state: string }>(
        `SELECT request_hash, response, state FROM idempotency_records
         WHERE tenant_id = $1 AND idempotency_key = $2 AND expires_at > now()`,
        [tenantId, key],
      );
      const row = rows[0];
      if (row?.state === 'completed') return { state: 'completed', record: { requestHash: row.request_hash, response: row.response } };
      if (row) return { state: 'pending', requestHash: row.request_hash };
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
    try {
      const inserted = await this.pool.query<{ request_hash: string; response: unknown }>(
        `INSERT INTO idempotency_records (tenant_id, idempotency_key, request_hash, response, state, expires_at)
         VALUES ($1, $2, $3, $4::jsonb, 'completed', now() + $5 * interval '1 millisecond')
         ON CONFLICT (tenant_id, idempotency_key) DO UPDATE SET
           request_hash = excluded.request_hash, response = excluded.response, created_at = now(),
           state = 'completed', expires_at = excluded.expires_at
         WHERE idempotency_records.state = 'pending' OR idempotency_records.expires_at <= now()
         RETURNING request_hash, response`,
        [tenantId, key, requestHash, json, ttlMs],
      );
      const row = inserted.rows[0];
      if (row) return { requestHash: row.request_hash, response: row.response };
    } catch (error) {
      if (pgCode(error) === FOREIGN_KEY_VIOLATION) throw new TenantNotFound('tenant not found');
      throw error;
    }
    // Lost the race: the earlier record is committed (the conflict waited for it), so read it back.
    return (await this.getIdempotent(tenantId, key))!;
  }

  async releaseIdempotent(tenantId: string, key: string, requestHash: string): Promise<void> {
    await this.pool.query(
      `DELETE FROM idempotency_records
       WHERE tenant_id = $1 AND idempotency_key = $2 AND request_hash = $3 AND state = 'pending'`,
      [tenantId, key, requestHash],
    );
  }

  async purgeExpiredIdempotent(): Promise<number> {
    const result = await this.pool.query('DELETE FROM idempotency_records WHERE expires_at <= now()');
    return result.rowCount ?? 0;
  }

  async close(): Promise<void> {
    if (!this.pool.ended) await this.pool.end();
  }
}

/** The subject's wrapped data key; SubjectNotFound also when the subject belongs to another tenant. */
async function wrappedKeyOf(
  client: PoolClient,
  tenantId: string,
  subjectId: string,
  lock: 'FOR UPDATE OF s' | 'FOR SHARE OF s' | '',
): Promise<Buffer> {
  const { rows } = await client.query<{ wrapped_key: Buffer }>(
    `SELECT k.wrapped_key FROM subjects s JOIN subject_keys k ON k.subject_id = s.id
     WHERE s.tenant_id = $1 AND s.id = $2 ${lock}`,
    [tenantId, subjectId],
  );
  if (rows[0] === undefined) throw new SubjectNotFound('subject not found');
  return rows[0].wrapped_key;
}

function toTenant(row: { id: string; name: string; created_at: Date }): Tenant {
  return { id: row.id, name: row.name, createdAt: row.created_at.toISOString() };
}

function toSubject(row: SubjectRow): Subject {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    externalRef: row.external_ref,
    consentId: row.consent_id,
    createdAt: row.created_at.toISOString(),
  };
}

function toApiKey(row: ApiKeyRow): ApiKeyRecord {
  return {
    keyId: row.key_id,
    tenantId: row.tenant_id,
    scopes: row.scopes,
    secretHash: row.secret_hash,
    label: row.label,
    createdAt: row.created_at.toISOString(),
    revokedAt: row.revoked_at?.toISOString() ?? null,
  };
}

function pgCode(error: unknown): string | undefined {
  return error instanceof pg.DatabaseError ? error.code : undefined;
}
