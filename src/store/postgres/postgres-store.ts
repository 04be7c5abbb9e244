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
import { PostgresDatabase } from '../sql/postgres-database.js';
import { migratePostgresVault } from './migrations.js';
import { checkSchemaName } from './schema-name.js';
import { inTransaction } from './transaction.js';
import { camelRow } from '../sql/camel-row.js';

export interface PostgresStoreOptions {
  connectionString: string;
  masterKey: Buffer;
  /** Schema holding every table; created by the migrations. Default `public`. */
  schema?: string;
  maxConnections?: number;
  /** The platform's clock: creation times of rows. */
  clock?: () => Date;
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

export class PostgresStore extends BiometricStoreBase implements BiometricStore {
  readonly schema: string;
  private readonly pool: pg.Pool;

  private constructor(
    database: PostgresDatabase,
    schema: string,
    private readonly masterKey: Buffer,
    clock: () => Date,
  ) {
    super(database, clock);
    this.schema = schema;
    this.pool = database.connectionPool;
  }

  /** Connects (one pool for the vault and the portable stores, search_path on the schema) and migrates. */
  static async open({
    connectionString,
    masterKey,
    schema = 'public',
    maxConnections = 10,
    clock = () => new Date(),
  }: PostgresStoreOptions): Promise<PostgresStore> {
    const checked = checkSchemaName(schema);
    const database = await PostgresDatabase.open({ connectionString, schema: checked, maxConnections });
    const store = new PostgresStore(database, checked, masterKey, clock);
    try {
      await store.migrate();
    } catch (error) {
      await store.close();
      throw error;
    }
    return store;
  }

  async migrate(): Promise<void> {
    await migratePostgresVault(this.sql);
  }

  async createSubject({ tenantId, externalRef, consentId }: NewSubject): Promise<Subject> {
    const id = randomUUID();
    const wrappedKey = newWrappedSubjectKey(this.masterKey, tenantId, id);
    try {
      return await inTransaction(this.pool, async (client) => {
        const { rows } = await client.query<SubjectRow>(
          'INSERT INTO subjects (id, tenant_id, external_ref, consent_id, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING *',
          [id, tenantId, externalRef, consentId, this.clock().toISOString()],
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

  async countSubjects(tenantId: string): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>('SELECT COUNT(*) AS n FROM subjects WHERE tenant_id = $1', [tenantId]);
    return Number(rows[0]?.n ?? 0);
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
        `INSERT INTO templates (id, tenant_id, subject_id, engine_id, engine_version, ciphertext, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [templateId, tenantId, subjectId, engineId, engineVersion, ciphertext, this.clock().toISOString()],
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

  scanGallery({ tenantId, engineId, engineVersion }: GalleryQuery): AsyncGenerator<GalleryEntry> {
    // Keyset pagination: each batch is a short query on any pooled connection, so a slow consumer
    // never pins a connection or a long-running snapshot the way a server-side cursor would.
    return scanInBatches(this.masterKey, GALLERY_BATCH, async (after) => {
      const { rows } = await this.pool.query<GalleryRow>(
        `SELECT t.id, t.tenant_id, t.subject_id, t.ciphertext, k.wrapped_key
         FROM templates t JOIN subject_keys k ON k.subject_id = t.subject_id
         WHERE t.engine_id = $1 AND t.engine_version = $2 AND ($3::text IS NULL OR t.tenant_id = $3)
           AND t.id > $4
         ORDER BY t.id LIMIT $5`,
        [engineId, engineVersion, tenantId ?? null, after, GALLERY_BATCH],
      );
      return rows;
    });
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
        `INSERT INTO retained_images (id, tenant_id, subject_id, template_id, ciphertext, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [imageId, tenantId, subjectId, templateId, ciphertext, this.clock().toISOString(), expires],
      );
      return { imageId };
    });
  }

  async storedEngines(): Promise<StoredEngine[]> {
    const { rows } = await this.pool.query<{ engine_id: string; engine_version: string; templates: number }>(
      'SELECT engine_id, engine_version, count(*)::int AS templates FROM templates GROUP BY engine_id, engine_version ORDER BY engine_id, engine_version',
    );
    return rows.map((row) => ({ engineId: row.engine_id, engineVersion: row.engine_version, templates: row.templates }));
  }

  async countRetainedImages(tenantId: string, subjectId: string): Promise<number> {
    const { rows } = await this.pool.query<{ count: number }>(
      'SELECT count(*)::int AS count FROM retained_images WHERE tenant_id = $1 AND subject_id = $2',
      [tenantId, subjectId],
    );
    return rows[0]!.count;
  }

  async retainedImages(tenantId: string, subjectId: string, now: string): Promise<StoredRetainedImage[]> {
    const cutoff = checkInstant('now', now);
    // One snapshot for key and images, so a concurrent delete cannot split them.
    return inTransaction(this.pool, async (client) => {
      await client.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
      const wrappedKey = await wrappedKeyOf(client, tenantId, subjectId, '');
      const { rows } = await client.query<{ id: string; template_id: string; ciphertext: Buffer }>(
        `SELECT id, template_id, ciphertext FROM retained_images
         WHERE tenant_id = $1 AND subject_id = $2 AND expires_at > $3 ORDER BY created_at, id`,
        [tenantId, subjectId, cutoff],
      );
      return rows.map((row) => ({
        imageId: row.id,
        templateId: row.template_id,
        image: openImageForSubject(this.masterKey, wrappedKey, { tenantId, subjectId, templateId: row.template_id, imageId: row.id }, row.ciphertext),
      }));
    });
  }

  async purgeExpiredImages(now: string): Promise<number> {
    const cutoff = checkInstant('now', now);
    const result = await this.pool.query('DELETE FROM retained_images WHERE expires_at <= $1', [cutoff]);
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

/** The subject's wrapped key stays in the store. */
function toSubject(row: SubjectRow): Subject {
  return {
    ...camelRow(row, ['id', 'tenant_id', 'external_ref', 'consent_id']),
    createdAt: row.created_at.toISOString(),
  };
}

function pgCode(error: unknown): string | undefined {
  return error instanceof pg.DatabaseError ? error.code : undefined;
}
