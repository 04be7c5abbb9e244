/**
 * The persistence port for tenants, API keys, subjects, encrypted templates and idempotency records.
 *
 * Every subject-level call takes the tenant id and treats another tenant's subject exactly like one
 * that does not exist: not-found, empty, `false` — never "forbidden", which would confirm it exists.
 * Templates go in and come out as plaintext bytes; adapters store them only sealed with the subject's
 * data key, and deleting a subject destroys that key (crypto-shredding). Retained enrollment images
 * go in only: sealed the same way, counted, purged when they expire, and never read back.
 */

export interface Tenant {
  id: string;
  name: string;
  createdAt: string;
}

export interface NewApiKey {
  /** null = an operator key, not bound to a tenant. */
  tenantId: string | null;
  scopes: string[];
  /** The public prefix a client presents; unique across all keys. */
  keyId: string;
  /** Already hashed by the service; the store keeps exactly what it is given. */
  secretHash: string;
  label?: string;
}

export interface ApiKeyRecord {
  keyId: string;
  tenantId: string | null;
  scopes: string[];
  secretHash: string;
  label: string | null;
  createdAt: string;
  revokedAt: string | null;
}

export interface NewSubject {
  tenantId: string;
  /** The tenant's own reference for the person; unique within the tenant. */
  externalRef: string;
  consentId: string;
}

export interface Subject {
  id: string;
  tenantId: string;
  externalRef: string;
  consentId: string;
  createdAt: string;
}

export interface PageRequest {
  limit: number;
  /** Cursor: the last id of the previous page. */
  after?: string;
}

export interface Page<T> {
  items: T[];
  /** Present only when more items follow; pass it as `after`. */
  next?: string;
}

export interface NewTemplate {
  tenantId: string;
  subjectId: string;
  engineId: string;
  engineVersion: string;
  /** Opaque encoded template; never parsed by the store. */
  template: Uint8Array;
  /** How many templates of this engine one subject may hold; enforced atomically. */
  maxPerSubject: number;
}

export interface StoredTemplate {
  templateId: string;
  engineId: string;
  engineVersion: string;
  template: Uint8Array;
  createdAt: string;
}

export interface GalleryQuery {
  /** Omit to scan every tenant (rebuilding all in-memory indexes at start). */
  tenantId?: string;
  engineId: string;
  engineVersion: string;
}

export interface GalleryEntry {
  tenantId: string;
  subjectId: string;
  templateId: string;
  template: Uint8Array;
}

export interface RetainedImage {
  tenantId: string;
  subjectId: string;
  /** The template this image was enrolled as; it must belong to the same subject. */
  templateId: string;
  image: Uint8Array;
  /** ISO-8601 instant; from then on purgeExpiredImages deletes the image. */
  expiresAt: string;
}

export interface StoredEngine {
  readonly engineId: string;
  readonly engineVersion: string;
  readonly templates: number;
}

/** A retained enrollment image, opened: what re-embedding with a new engine reads. */
export interface StoredRetainedImage {
  imageId: string;
  templateId: string;
  image: Uint8Array;
}

export interface IdempotentRecord {
  requestHash: string;
  response: unknown;
}

/** How long a completed idempotency record is replayed before it expires and is purged. */
export const DEFAULT_IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * What reserveIdempotent found: `reserved` — the caller now holds the key and must complete
 * (putIdempotent) or release it; `pending` — another run holds it; `completed` — the stored
 * response to replay.
 */
export type IdempotentReservation =
  { state: 'reserved' } | { state: 'pending'; requestHash: string } | { state: 'completed'; record: IdempotentRecord };

export interface BiometricStore {
  createTenant(input: { name: string }): Promise<Tenant>;
  getTenant(id: string): Promise<Tenant | undefined>;

  /** Throws ApiKeyIdTaken for a duplicate keyId, TenantNotFound for an unknown tenant. */
  createApiKey(input: NewApiKey): Promise<ApiKeyRecord>;
  /** Revoked keys are returned too (with revokedAt) so the caller can tell revoked from unknown. */
  findApiKey(keyId: string): Promise<ApiKeyRecord | undefined>;
  /** Idempotent: keeps the first revocation time. False when no such key exists. */
  revokeApiKey(keyId: string): Promise<boolean>;

  /** Throws ExternalRefTaken when the tenant already uses externalRef, TenantNotFound for an unknown tenant. */
  createSubject(input: NewSubject): Promise<Subject>;
  getSubject(tenantId: string, id: string): Promise<Subject | undefined>;
  listSubjects(tenantId: string, page: PageRequest): Promise<Page<Subject>>;
  /** How many subjects the tenant has (0 for an unknown tenant): the console's overview. */
  countSubjects(tenantId: string): Promise<number>;
  /** Crypto-shredding: the data key, the templates, retained images and the subject go in one transaction. False when not found. */
  deleteSubject(tenantId: string, id: string): Promise<boolean>;

  /** Throws SubjectNotFound, or TemplateLimitReached when the subject already has maxPerSubject templates of this engine. */
  addTemplate(input: NewTemplate): Promise<{ templateId: string }>;
  /** Decrypted; throws SubjectNotFound. */
  listTemplates(tenantId: string, subjectId: string): Promise<StoredTemplate[]>;
  /** Decrypted, read in batches: never the whole gallery in memory at once. */
  scanGallery(query: GalleryQuery): AsyncIterable<GalleryEntry>;
  /**
   * Which engines (id and version) the stored templates belong to, across tenants, with their counts:
   * what an upgraded service must keep matching until every subject has migrated.
   */
  storedEngines(): Promise<StoredEngine[]>;

  /**
   * Keeps an enrollment image sealed under the subject's data key until expiresAt. Throws
   * SubjectNotFound (also for another tenant's subject), InvalidArgument when the template is not
   * the subject's, the image is empty or expiresAt is not an instant.
   */
  retainImage(input: RetainedImage): Promise<{ imageId: string }>;
  /** Images held for the subject, expired ones not yet purged included: what a data export must admit to. 0 when not found. */
  countRetainedImages(tenantId: string, subjectId: string): Promise<number>;
  /** Deletes every image whose expiresAt is at or before `now` (ISO-8601); returns how many. */
  purgeExpiredImages(now: string): Promise<number>;
  /**
   * The subject's images not yet expired at `now`, decrypted, oldest first: re-embedded when the
   * tenant's engine changes, so the subject need not enroll again. Throws SubjectNotFound.
   */
  retainedImages(tenantId: string, subjectId: string, now: string): Promise<StoredRetainedImage[]>;

  /** The completed, unexpired record; pending reservations and expired records read as absent. */
  getIdempotent(tenantId: string, key: string): Promise<IdempotentRecord | undefined>;
  /**
   * Atomically claims the key before the request runs, so two identical requests cannot both run.
   * The reservation lapses after leaseMs, so a run that crashed without releasing it does not block
   * the key until its records expire. An expired record is replaced. Throws TenantNotFound.
   */
  reserveIdempotent(tenantId: string, key: string, requestHash: string, leaseMs: number): Promise<IdempotentReservation>;
  /**
   * Stores the response, kept for ttlMs (default DEFAULT_IDEMPOTENCY_TTL_MS); it replaces a pending
   * reservation or an expired record. Otherwise the first writer wins: returns the record that is
   * stored — this call's if it was first, else the earlier one, so a caller that lost a race can
   * answer with the winner's response.
   */
  putIdempotent(tenantId: string, key: string, requestHash: string, response: unknown, ttlMs?: number): Promise<IdempotentRecord>;
  /** Drops the caller's pending reservation (its run failed), so a retry can run. Completed records stay. */
  releaseIdempotent(tenantId: string, key: string, requestHash: string): Promise<void>;
  /** Deletes expired records and lapsed reservations; returns how many. */
  purgeExpiredIdempotent(): Promise<number>;

  close(): Promise<void>;
}
