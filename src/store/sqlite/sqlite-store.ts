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
  BiometricStore,
  GalleryEntry,
  GalleryQuery,
  NewSubject,
  NewTemplate,
  Page,
  PageRequest,
  RetainedImage,
  StoredEngine,
  StoredRetainedImage,
  StoredTemplate,
  Subject,
} from '../biometric-store.js';
import { BiometricStoreBase } from '../biometric-store-base.js';
import { checkImage, checkInstant, checkMaxPerSubject, checkPageLimit, toPage } from '../store-arguments.js';
import { InvalidArgument } from '../../errors/domain-errors.js';
import { ExternalRefTaken, SubjectNotFound, TemplateLimitReached, TenantNotFound } from '../store-errors.js';
import { newWrappedSubjectKey, openForSubject, openImageForSubject, sealForSubject, sealImageForSubject } from '../subject-encryption.js';
import { scanInBatches, type GalleryRow } from '../gallery-scan.js';
import { migrateSqliteVault } from './migrations.js';
import { connectionQueue } from './connection-queue.js';
import type { SerialQueue } from '../sql/serial-queue.js';
import { SqliteDatabase } from '../sql/sqlite-database.js';

export interface SqliteStoreOptions {
  /** Database file; its directory is created if missing. */
  path: string;
  masterKey: Buffer;
  /** How long a write waits for another process's lock before failing. */
  busyTimeoutMs?: number;
  /** The platform's clock: creation times of rows. */
  clock?: () => Date;
}

const GALLERY_BATCH = 256;

interface SubjectRow {
  id: string;
  tenant_id: string;
  external_ref: string;
  consent_id: string;
  created_at: string;
}

export class SqliteStore extends BiometricStoreBase implements BiometricStore {
  private readonly queue: SerialQueue;

  private constructor(
    private readonly db: Database.Database,
    private readonly masterKey: Buffer,
    clock: () => Date,
  ) {
    super(new SqliteDatabase(db), clock);
    this.queue = connectionQueue(this.db);
  }

  /** Opens (creating it and its directory if missing) and migrates the file. */
  static async open({ path, masterKey, busyTimeoutMs = 5000, clock = () => new Date() }: SqliteStoreOptions): Promise<SqliteStore> {
    mkdirSync(dirname(path), { recursive: true });
    const db = new Database(path);
    try {
      db.pragma('journal_mode = WAL');
      // In WAL mode NORMAL only fsyncs at checkpoints, so a power cut can lose commits the caller was
      // already told succeeded. FULL fsyncs the WAL on every commit: an acknowledged enrolment or
      // deletion survives a crash, which matters more here than write throughput.
      db.pragma('synchronous = FULL');
      db.pragma('foreign_keys = ON');
      db.pragma(`busy_timeout = ${Math.trunc(busyTimeoutMs)}`);
      // Zero deleted content instead of leaving it in free pages, so a shredded subject's wrapped key
      // and ciphertexts do not linger in the file.
      db.pragma('secure_delete = ON');
      const store = new SqliteStore(db, masterKey, clock);
      await migrateSqliteVault(store.sql);
      return store;
    } catch (error) {
      db.close();
      throw error;
    }
  }

  /** The one connection to this file; domain stores share it (see SqliteDatabase). */
  /** Writes wait for any open domain transaction on this connection (see connection-queue.ts). */
  private exclusive<T>(write: () => T | Promise<T>): Promise<T> {
    return this.queue.run(async () => write());
  }

  get connection(): Database.Database {
    return this.db;
  }

  async createSubject({ tenantId, externalRef, consentId }: NewSubject): Promise<Subject> {
    return this.exclusive(() => {
      const subject: Subject = { id: randomUUID(), tenantId, externalRef, consentId, createdAt: this.clock().toISOString() };
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

  async countSubjects(tenantId: string): Promise<number> {
    const row = this.db.prepare('SELECT COUNT(*) AS n FROM subjects WHERE tenant_id = ?').get(tenantId) as { n: number };
    return row.n;
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
          .run(templateId, tenantId, subjectId, engineId, engineVersion, ciphertext, this.clock().toISOString());
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

  scanGallery({ tenantId, engineId, engineVersion }: GalleryQuery): AsyncGenerator<GalleryEntry> {
    // Keyset batches rather than one open iterator: the consumer awaits between items, and an open
    // better-sqlite3 iterator would block every other statement on this connection meanwhile.
    const batch = this.db.prepare(
      `SELECT t.id, t.tenant_id, t.subject_id, t.ciphertext, k.wrapped_key
       FROM templates t JOIN subject_keys k ON k.subject_id = t.subject_id
       WHERE t.engine_id = @engineId AND t.engine_version = @engineVersion
         AND (@tenantId IS NULL OR t.tenant_id = @tenantId) AND t.id > @after
       ORDER BY t.id LIMIT @limit`,
    );
    return scanInBatches(
      this.masterKey,
      GALLERY_BATCH,
      (after) => batch.all({ engineId, engineVersion, tenantId: tenantId ?? null, after, limit: GALLERY_BATCH }) as GalleryRow[],
    );
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
          .run(imageId, tenantId, subjectId, templateId, ciphertext, this.clock().toISOString(), expires);
        return { imageId };
      });
      // IMMEDIATE: a deleteSubject from another process cannot shred the key between our read and insert.
      return retain.immediate();
    });
  }

  async storedEngines(): Promise<StoredEngine[]> {
    const rows = this.db
      .prepare('SELECT engine_id, engine_version, count(*) AS templates FROM templates GROUP BY engine_id, engine_version ORDER BY engine_id, engine_version')
      .all() as { engine_id: string; engine_version: string; templates: number }[];
    return rows.map((row) => ({ engineId: row.engine_id, engineVersion: row.engine_version, templates: row.templates }));
  }

  async countRetainedImages(tenantId: string, subjectId: string): Promise<number> {
    const { count } = this.db
      .prepare('SELECT count(*) AS count FROM retained_images WHERE tenant_id = ? AND subject_id = ?')
      .get(tenantId, subjectId) as { count: number };
    return count;
  }

  async retainedImages(tenantId: string, subjectId: string, now: string): Promise<StoredRetainedImage[]> {
    const cutoff = checkInstant('now', now);
    const read = this.db.transaction(() => {
      const wrappedKey = this.wrappedKeyOf(tenantId, subjectId);
      const rows = this.db
        .prepare(
          `SELECT id, template_id, ciphertext FROM retained_images
           WHERE tenant_id = ? AND subject_id = ? AND expires_at > ? ORDER BY created_at, id`,
        )
        .all(tenantId, subjectId, cutoff) as Array<{ id: string; template_id: string; ciphertext: Buffer }>;
      return rows.map((row) => ({
        imageId: row.id,
        templateId: row.template_id,
        image: openImageForSubject(this.masterKey, wrappedKey, { tenantId, subjectId, templateId: row.template_id, imageId: row.id }, row.ciphertext),
      }));
    });
    return read();
  }

  async purgeExpiredImages(at: string): Promise<number> {
    const cutoff = checkInstant('now', at);
    return this.exclusive(() => this.db.prepare('DELETE FROM retained_images WHERE expires_at <= ?').run(cutoff).changes);
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

function sqliteCode(error: unknown): string | undefined {
  return error instanceof Database.SqliteError ? error.code : undefined;
}
