/**
 * The single-node adapter: one SQLite file in WAL mode. better-sqlite3 is synchronous, so each
 * method runs to completion on the event loop; writes that read-then-write use IMMEDIATE
 * transactions so they also serialize against other processes opening the same file.
 */
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
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
import { migrateSqlite } from './migrations.js';
import { connectionQueue } from './connection-queue.js';
import type { SerialQueue } from '../sql/serial-queue.js';

export interface SqliteStoreOptions {
  /** Database file; its directory is created if missing. */
  path: string;
  masterKey: Buffer;
  /** How long a write waits for another process's lock before failing. */
  busyTimeoutMs?: number;
}

const GALLERY_BATCH = 256;

interface SubjectRow {
  id: string;
  tenant_id: string;
  external_ref: string;
  consent_id: string;
  created_at: string;
}

interface ApiKeyRow {
  key_id: string;
  tenant_id: string | null;
  scopes: string;
  secret_hash: string;
  label: string | null;
  created_at: string;
  revoked_at: string | null;
}

export class SqliteStore implements BiometricStore {
  private readonly db: Database.Database;
  private readonly masterKey: Buffer;
  private readonly queue: SerialQueue;

  constructor({ path, masterKey, busyTimeoutMs = 5000 }: SqliteStoreOptions) {
    mkdirSync(dirname(path), { recursive: true });
    this.masterKey = masterKey;
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    // In WAL mode NORMAL only fsyncs at checkpoints, so a power cut can lose commits the caller was
    // already told succeeded. FULL fsyncs the WAL on every commit: an acknowledged enrolment or
    // deletion survives a crash, which matters more here than write throughput.
    this.db.pragma('synchronous = FULL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma(`busy_timeout = ${Math.trunc(busyTimeoutMs)}`);
    // Zero deleted content instead of leaving it in free pages, so a shredded subject's wrapped key
    // and ciphertexts do not linger in the file.
    this.db.pragma('secure_delete = ON');
    migrateSqlite(this.db);
    this.queue = connectionQueue(this.db);
  }

  /** The one connection to this file; domain stores share it (see SqliteDatabase). */
  /** Writes wait for any open domain transaction on this connection (see connection-queue.ts). */
  private exclusive<T>(write: () => T | Promise<T>): Promise<T> {
    return this.queue.run(async () => write());
  }

  get connection(): Database.Database {
    return this.db;
  }

  async createTenant({ name }: { name: string }): Promise<Tenant> {
    return this.exclusive(() => {
      const tenant: Tenant = { id: randomUUID(), name, createdAt: now() };
      this.db.prepare('INSERT INTO tenants (id, name, created_at) VALUES (?, ?, ?)').run(tenant.id, tenant.name, tenant.createdAt);
      return tenant;
    });
  }

  async getTenant(id: string): Promise<Tenant | undefined> {
    const row = this.db.prepare('SELECT id, name, created_at FROM tenants WHERE id = ?').get(id) as
      { id: string; name: string; created_at: string } | undefined;
    return row && { id: row.id, name: row.name, createdAt: row.created_at };
  }

  async createApiKey(input: NewApiKey): Promise<ApiKeyRecord> {
    return this.exclusive(() => {
      const record: ApiKeyRecord = {
        keyId: input.keyId,
        tenantId: input.tenantId,
        scopes: [...input.scopes],
        secretHash: input.secretHash,
        label: input.label ?? null,
        createdAt: now(),
        revokedAt: null,
      };
      try {
        this.db
          .prepare('INSERT INTO api_keys (key_id, tenant_id, scopes, secret_hash, label, created_at) VALUES (?, ?, ?, ?, ?, ?)')
          .run(record.keyId, record.tenantId, JSON.stringify(record.scopes), record.secretHash, record.label, record.createdAt);
      } catch (error) {
        if (sqliteCode(error) === 'SQLITE_CONSTRAINT_PRIMARYKEY') throw new ApiKeyIdTaken('an API key with this key id exists');
        if (sqliteCode(error) === 'SQLITE_CONSTRAINT_FOREIGNKEY') throw new TenantNotFound('tenant not found');
        throw error;
      }
      return record;
    });
  }

  async findApiKey(keyId: string): Promise<ApiKeyRecord | undefined> {
    const row = this.db.prepare('SELECT * FROM api_keys WHERE key_id = ?').get(keyId) as ApiKeyRow | undefined;
    return row && toApiKey(row);
  }

  async revokeApiKey(keyId: string): Promise<boolean> {
    return this.exclusive(() => {
      const result = this.db.prepare('UPDATE api_keys SET revoked_at = coalesce(revoked_at, ?) WHERE key_id = ?').run(now(), keyId);
      return result.changes > 0;
    });
  }

  async createSubject({ tenantId, externalRef, consentId }: NewSubject): Promise<Subject> {
    return this.exclusive(() => {
      const subject: Subject = { id: randomUUID(), tenantId, externalRef, consentId, createdAt: now() };
      const wrappedKey = newWrappedSubjectKey(this.masterKey, tenantId, subject.id);
      const insert = this.db.transaction(() => {
        this.db
          .prepare('INSERT INTO subjects (id, tenant_id, external_ref, consent_id, created_at) VALUES (?, ?, ?, ?, ?)')
          .run(subject.id, tenantId, externalRef, consentId, subject.createdAt);
        this.db.prepare('INSERT INTO subject_keys (subject_id, wrapped_key) VALUES (?, ?)').run(subject.id, wrappedKey);
      });
      try {
        insert();
      } catch (error) {
        if (sqliteCode(error) === 'SQLITE_CONSTRAINT_UNIQUE') throw new ExternalRefTaken('externalRef is already used in this tenant');
        if (sqliteCode(error) === 'SQLITE_CONSTRAINT_FOREIGNKEY') throw new TenantNotFound('tenant not found');
        throw error;
      }
      return subject;
    });
  }

  async getSubject(tenantId: string, id: string): Promise<Subject | undefined> {
    const row = this.db.prepare('SELECT * FROM subjects WHERE tenant_id = ? AND id = ?').get(tenantId, id) as SubjectRow | undefined;
    return row && toSubject(row);
  }

  async listSubjects(tenantId: string, { limit, after }: PageRequest): Promise<Page<Subject>> {
    checkPageLimit(limit);
    const rows = this.db
      .prepare('SELECT * FROM subjects WHERE tenant_id = ? AND id > ? ORDER BY id LIMIT ?')
      .all(tenantId, after ?? '', limit + 1) as SubjectRow[];
    return toPage(rows.map(toSubject), limit);
  }

  async deleteSubject(tenantId: string, id: string): Promise<boolean> {
    return this.exclusive(() => {
      const shred = this.db.transaction(() => {
        const exists = this.db.prepare('SELECT 1 FROM subjects WHERE tenant_id = ? AND id = ?').get(tenantId, id);
        if (exists === undefined) return false;
        // Key first: from here on the templates are unreadable, whatever else happens to their bytes.
        this.db.prepare('DELETE FROM subject_keys WHERE subject_id = ?').run(id);
        this.db.prepare('DELETE FROM retained_images WHERE tenant_id = ? AND subject_id = ?').run(tenantId, id);
        this.db.prepare('DELETE FROM templates WHERE tenant_id = ? AND subject_id = ?').run(tenantId, id);
        this.db.prepare('DELETE FROM subjects WHERE tenant_id = ? AND id = ?').run(tenantId, id);
        return true;
      });
      return shred.immediate();
    });
  }

  async addTemplate(input: NewTemplate): Promise<{ templateId: string }> {
    return this.exclusive(() => {
      const { tenantId, subjectId, engineId, engineVersion, template } = input;
      const maxPerSubject = checkMaxPerSubject(input.maxPerSubject);
      const add = this.db.transaction(() => {
        const wrappedKey = this.wrappedKeyOf(tenantId, subjectId);
        const { count } = this.db
          .prepare('SELECT count(*) AS count FROM templates WHERE subject_id = ? AND engine_id = ?')
          .get(subjectId, engineId) as { count: number };
        if (count >= maxPerSubject) {
          throw new TemplateLimitReached(`subject already has ${maxPerSubject} templates for this engine`, { engineId, maxPerSubject });
        }
        const templateId = randomUUID();
        const ciphertext = sealForSubject(this.masterKey, wrappedKey, { tenantId, subjectId, templateId }, template);
        this.db
          .prepare(
            `INSERT INTO templates (id, tenant_id, subject_id, engine_id, engine_version, ciphertext, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(templateId, tenantId, subjectId, engineId, engineVersion, ciphertext, now());
        return { templateId };
      });
      // IMMEDIATE: the count and the insert hold the write lock together, so no other process can
      // slip a template in between and push the subject over its limit.
      return add.immediate();
    });
  }

  async listTemplates(tenantId: string, subjectId: string): Promise<StoredTemplate[]> {
    const read = this.db.transaction(() => {
      const wrappedKey = this.wrappedKeyOf(tenantId, subjectId);
      const rows = this.db
        .prepare(
          `SELECT id, engine_id, engine_version, ciphertext, created_at FROM templates
           WHERE tenant_id = ? AND subject_id = ? ORDER BY created_at, id`,
        )
        .all(tenantId, subjectId) as Array<{
        id: string;
        engine_id: string;
        engine_version: string;
        ciphertext: Buffer;
        created_at: string;
      }>;
      return rows.map((row) => ({
        templateId: row.id,
        engineId: row.engine_id,
        engineVersion: row.engine_version,
        template: openForSubject(this.masterKey, wrappedKey, { tenantId, subjectId, templateId: row.id }, row.ciphertext),
        createdAt: row.created_at,
      }));
    });
    return read();
  }

  async *scanGallery({ tenantId, engineId, engineVersion }: GalleryQuery): AsyncGenerator<GalleryEntry> {
    // Keyset batches rather than one open iterator: the consumer awaits between items, and an open
    // better-sqlite3 iterator would block every other statement on this connection meanwhile.
    const batch = this.db.prepare(
      `SELECT t.id, t.tenant_id, t.subject_id, t.ciphertext, k.wrapped_key
       FROM templates t JOIN subject_keys k ON k.subject_id = t.subject_id
       WHERE t.engine_id = @engineId AND t.engine_version = @engineVersion
         AND (@tenantId IS NULL OR t.tenant_id = @tenantId) AND t.id > @after
       ORDER BY t.id LIMIT @limit`,
    );
    let after = '';
    for (;;) {
      const rows = batch.all({ engineId, engineVersion, tenantId: tenantId ?? null, after, limit: GALLERY_BATCH }) as Array<{
        id: string;
        tenant_id: string;
        subject_id: string;
        ciphertext: Buffer;
        wrapped_key: Buffer;
      }>;
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
    return this.exclusive(() => {
      const retain = this.db.transaction(() => {
        const wrappedKey = this.wrappedKeyOf(tenantId, subjectId);
        const owned = this.db
          .prepare('SELECT 1 FROM templates WHERE tenant_id = ? AND subject_id = ? AND id = ?')
          .get(tenantId, subjectId, templateId);
        if (owned === undefined) throw new InvalidArgument('templateId is not a template of this subject');
        const imageId = randomUUID();
        const ciphertext = sealImageForSubject(this.masterKey, wrappedKey, { tenantId, subjectId, templateId, imageId }, image);
        this.db
          .prepare(
            `INSERT INTO retained_images (id, tenant_id, subject_id, template_id, ciphertext, created_at, expires_at)
             VALUES (?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(imageId, tenantId, subjectId, templateId, ciphertext, now(), expires);
        return { imageId };
      });
      // IMMEDIATE: a deleteSubject from another process cannot shred the key between our read and insert.
      return retain.immediate();
    });
  }

  async countRetainedImages(tenantId: string, subjectId: string): Promise<number> {
    const { count } = this.db
      .prepare('SELECT count(*) AS count FROM retained_images WHERE tenant_id = ? AND subject_id = ?')
      .get(tenantId, subjectId) as { count: number };
    return count;
  }

  async purgeExpiredImages(at: string): Promise<number> {
    const cutoff = checkInstant('now', at);
    return this.exclusive(() => this.db.prepare('DELETE FROM retained_images WHERE expires_at <= ?').run(cutoff).changes);
  }

  async getIdempotent(tenantId: string, key: string): Promise<IdempotentRecord | undefined> {
    const row = this.db
      .prepare(
        `SELECT request_hash, response FROM idempotency_records
         WHERE tenant_id = ? AND idempotency_key = ? AND state = 'completed' AND expires_at > ?`,
      )
      .get(tenantId, key, now()) as { request_hash: string; response: string } | undefined;
    return row && { requestHash: row.request_hash, response: JSON.parse(row.response) as unknown };
  }

  async reserveIdempotent(tenantId: string, key: string, requestHash: string, leaseMs: number): Promise<IdempotentReservation> {
    return this.exclusive(() => {
      checkDurationMs('leaseMs', leaseMs);
      // IMMEDIATE: another process on the same file cannot read "absent" between our read and insert.
      const reserve = this.db.transaction((): IdempotentReservation => {
        const at = new Date();
        const row = this.db
          .prepare(
            `SELECT request_hash, response, state FROM idempotency_records
             WHERE tenant_id = ? AND idempotency_key = ? AND expires_at > ?`,
          )
          .get(tenantId, key, at.toISOString()) as { request_hash: string; response: string; state: string } | undefined;
        if (row?.state === 'completed') {
          return { state: 'completed', record: { requestHash: row.request_hash, response: JSON.parse(row.response) as unknown } };
        }
        if (row) return { state: 'pending', requestHash: row.request_hash };
        this.db
          .prepare(
            `INSERT OR REPLACE INTO idempotency_records
               (tenant_id, idempotency_key, request_hash, response, created_at, state, expires_at)
             VALUES (?, ?, ?, 'null', ?, 'pending', ?)`,
          )
          .run(tenantId, key, requestHash, at.toISOString(), new Date(at.getTime() + leaseMs).toISOString());
        return { state: 'reserved' };
      });
      try {
        return reserve.immediate();
      } catch (error) {
        if (sqliteCode(error) === 'SQLITE_CONSTRAINT_FOREIGNKEY') throw new TenantNotFound('tenant not found');
        throw error;
      }
    });
  }

  async putIdempotent(
    tenantId: string,
    key: string,
    requestHash: string,
    response: unknown,
    ttlMs = DEFAULT_IDEMPOTENCY_TTL_MS,
  ): Promise<IdempotentRecord> {
    return this.exclusive(async () => {
      const json = serializeResponse(response);
      checkDurationMs('ttlMs', ttlMs);
      const at = new Date();
      try {
        this.db
          .prepare(
            `INSERT INTO idempotency_records (tenant_id, idempotency_key, request_hash, response, created_at, state, expires_at)
             VALUES (?, ?, ?, ?, ?, 'completed', ?)
             ON CONFLICT (tenant_id, idempotency_key) DO UPDATE SET
               request_hash = excluded.request_hash, response = excluded.response, created_at = excluded.created_at,
               state = 'completed', expires_at = excluded.expires_at
             WHERE idempotency_records.state = 'pending' OR idempotency_records.expires_at <= excluded.created_at`,
          )
          .run(tenantId, key, requestHash, json, at.toISOString(), new Date(at.getTime() + ttlMs).toISOString());
      } catch (error) {
        if (sqliteCode(error) === 'SQLITE_CONSTRAINT_FOREIGNKEY') throw new TenantNotFound('tenant not found');
        throw error;
      }
      return (await this.getIdempotent(tenantId, key))!;
    });
  }

  async releaseIdempotent(tenantId: string, key: string, requestHash: string): Promise<void> {
    return this.exclusive(() => {
      this.db
        .prepare(
          `DELETE FROM idempotency_records
           WHERE tenant_id = ? AND idempotency_key = ? AND request_hash = ? AND state = 'pending'`,
        )
        .run(tenantId, key, requestHash);
    });
  }

  async purgeExpiredIdempotent(): Promise<number> {
    return this.exclusive(() => {
      return this.db.prepare('DELETE FROM idempotency_records WHERE expires_at <= ?').run(now()).changes;
    });
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  /** The subject's wrapped data key; SubjectNotFound also when the subject belongs to another tenant. */
  private wrappedKeyOf(tenantId: string, subjectId: string): Buffer {
    const row = this.db
      .prepare(
        `SELECT k.wrapped_key FROM subjects s JOIN subject_keys k ON k.subject_id = s.id
         WHERE s.tenant_id = ? AND s.id = ?`,
      )
      .get(tenantId, subjectId) as { wrapped_key: Buffer } | undefined;
    if (row === undefined) throw new SubjectNotFound('subject not found');
    return row.wrapped_key;
  }
}

function toSubject(row: SubjectRow): Subject {
  return { id: row.id, tenantId: row.tenant_id, externalRef: row.external_ref, consentId: row.consent_id, createdAt: row.created_at };
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

function sqliteCode(error: unknown): string | undefined {
  return error instanceof Database.SqliteError ? error.code : undefined;
}

function now(): string {
  return new Date().toISOString();
}
