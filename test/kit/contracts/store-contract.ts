/**
 * One behavioural contract for every BiometricStore adapter. Each adapter's test file calls
 * runStoreConformance with a harness; the suite opens one store, and every test makes its own
 * tenants, so tests stay independent without paying for a fresh database each time.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { BiometricStore, GalleryEntry, GalleryQuery, Subject, Tenant } from '../../../src/store/biometric-store.js';
import { InvalidArgument } from '../../../src/errors/domain-errors.js';
import { ApiKeyIdTaken, ExternalRefTaken, SubjectNotFound, TemplateLimitReached, TenantNotFound } from '../../../src/store/store-errors.js';

export interface StoreHarness {
  store: BiometricStore;
  cleanup: () => Promise<void>;
  /** The stored ciphertext of one template row, read straight from the database, bypassing the adapter. */
  rawTemplate(templateId: string): Promise<Uint8Array | undefined>;
  /** The stored ciphertext of one retained image row, read straight from the database, bypassing the adapter. */
  rawImage(imageId: string): Promise<Uint8Array | undefined>;
  /** Whether a wrapped data key row exists for the subject, read straight from the database. */
  hasDataKeyRow(subjectId: string): Promise<boolean>;
  /** For file-backed adapters: every file the database lives in (main file, WAL…), scanned for plaintext. */
  databaseFiles?(): string[];
}

const ENGINE = { engineId: 'conformance-engine', engineVersion: '1.0' };

export function runStoreConformance(name: string, open: () => Promise<StoreHarness>): void {
  describe(`BiometricStore conformance: ${name}`, () => {
    let harness: StoreHarness;
    let store: BiometricStore;

    before(async () => {
      harness = await open();
      store = harness.store;
    });
    after(async () => {
      await harness?.cleanup();
    });

    async function tenantWithSubject(externalRef = 'person-1'): Promise<{ tenant: Tenant; subject: Subject }> {
      const tenant = await store.createTenant({ name: `tenant-${randomBytes(3).toString('hex')}` });
      const subject = await store.createSubject({ tenantId: tenant.id, externalRef, consentId: 'consent-1' });
      return { tenant, subject };
    }

    function addTemplate(tenantId: string, subjectId: string, template: Uint8Array, maxPerSubject = 5) {
      return store.addTemplate({ tenantId, subjectId, ...ENGINE, template, maxPerSubject });
    }

    function retain(tenantId: string, subjectId: string, templateId: string, image: Uint8Array, expiresAt = inHours(1)) {
      return store.retainImage({ tenantId, subjectId, templateId, image, expiresAt });
    }

    function inHours(hours: number, from = Date.now()): string {
      return new Date(from + hours * 3_600_000).toISOString();
    }

    /** The instant `ms`, written as local time at a UTC offset of `hours` (e.g. 2024-01-01T05:00:00.000+05:00). */
    function withOffset(ms: number, hours: number): string {
      const sign = hours < 0 ? '-' : '+';
      const hh = String(Math.abs(hours)).padStart(2, '0');
      return new Date(ms + hours * 3_600_000).toISOString().replace('Z', `${sign}${hh}:00`);
    }

    function scanDatabaseFiles(needle: Buffer): void {
      for (const file of harness.databaseFiles?.() ?? []) {
        let bytes: Buffer;
        try {
          bytes = readFileSync(file);
        } catch {
          continue; // e.g. a WAL already checkpointed away
        }
        assert.equal(bytes.indexOf(needle), -1, `plaintext found in ${file}`);
      }
    }

    async function collect(query: GalleryQuery): Promise<GalleryEntry[]> {
      const entries: GalleryEntry[] = [];
      for await (const entry of store.scanGallery(query)) entries.push(entry);
      return entries;
    }

    it('creates and reads tenants', async () => {
      const tenant = await store.createTenant({ name: 'Acme' });
      assert.equal(tenant.name, 'Acme');
      assert.ok(!Number.isNaN(Date.parse(tenant.createdAt)));
      assert.deepEqual(await store.getTenant(tenant.id), tenant);
      assert.equal(await store.getTenant('no-such-tenant'), undefined);
    });

    it('creates, reads and pages subjects; rejects an unknown tenant', async () => {
      const { tenant, subject } = await tenantWithSubject();
      assert.deepEqual(await store.getSubject(tenant.id, subject.id), subject);
      assert.equal(subject.consentId, 'consent-1');
      for (let i = 2; i <= 5; i++) await store.createSubject({ tenantId: tenant.id, externalRef: `person-${i}`, consentId: 'c' });

      const seen: string[] = [];
      const pageSizes: number[] = [];
      let next: string | undefined;
      do {
        const page = await store.listSubjects(tenant.id, { limit: 2, after: next });
        pageSizes.push(page.items.length);
        seen.push(...page.items.map((item) => item.id));
        next = page.next;
      } while (next !== undefined);
      assert.deepEqual(pageSizes, [2, 2, 1]);
      assert.equal(await store.countSubjects(tenant.id), 5);
      assert.equal(new Set(seen).size, 5);
      assert.deepEqual(seen, [...seen].sort(), 'pages follow id order');
      assert.equal((await store.listSubjects(tenant.id, { limit: 5 })).next, undefined, 'no next when the page is exactly the rest');

      await assert.rejects(store.createSubject({ tenantId: 'no-such-tenant', externalRef: 'x', consentId: 'c' }), TenantNotFound);
    });

    it('keeps externalRef unique per tenant but not across tenants', async () => {
      const { tenant } = await tenantWithSubject('shared-ref');
      await assert.rejects(store.createSubject({ tenantId: tenant.id, externalRef: 'shared-ref', consentId: 'c' }), ExternalRefTaken);
      const other = await store.createTenant({ name: 'other' });
      const subject = await store.createSubject({ tenantId: other.id, externalRef: 'shared-ref', consentId: 'c' });
      assert.equal(subject.externalRef, 'shared-ref');
    });

    it('isolates tenants: another tenant cannot read, list, match against, add to or delete a subject', async () => {
      const a = await tenantWithSubject();
      const template = randomBytes(48);
      await addTemplate(a.tenant.id, a.subject.id, template);
      await store.putIdempotent(a.tenant.id, 'idem-a', 'hash-a', { ok: true });
      const b = await store.createTenant({ name: 'B' });

      assert.equal(await store.getSubject(b.id, a.subject.id), undefined);
      assert.deepEqual((await store.listSubjects(b.id, { limit: 10 })).items, []);
      assert.equal(await store.countSubjects(b.id), 0, "another tenant's subjects are not counted");
      await assert.rejects(store.listTemplates(b.id, a.subject.id), SubjectNotFound);
      await assert.rejects(addTemplate(b.id, a.subject.id, template), SubjectNotFound);
      assert.equal(await store.deleteSubject(b.id, a.subject.id), false);
      assert.deepEqual(await collect({ tenantId: b.id, ...ENGINE }), []);
      assert.equal(await store.getIdempotent(b.id, 'idem-a'), undefined);

      // A's data survived B's attempts.
      assert.deepEqual(await store.getSubject(a.tenant.id, a.subject.id), a.subject);
      const aGallery = await collect({ tenantId: a.tenant.id, ...ENGINE });
      assert.equal(aGallery.length, 1);
      assert.equal(aGallery[0]!.tenantId, a.tenant.id);
      const everyone = await collect(ENGINE);
      assert.ok(everyone.some((entry) => entry.subjectId === a.subject.id && entry.tenantId === a.tenant.id));
    });

    it('names the engines its templates belong to, with counts, and forgets an engine whose templates are gone', async () => {
      const { tenant, subject } = await tenantWithSubject();
      const engine = { engineId: `old-engine-${randomBytes(3).toString('hex')}`, engineVersion: '7.1' };
      await store.addTemplate({ tenantId: tenant.id, subjectId: subject.id, ...engine, template: new Uint8Array([1]), maxPerSubject: 5 });
      await store.addTemplate({ tenantId: tenant.id, subjectId: subject.id, ...engine, template: new Uint8Array([2]), maxPerSubject: 5 });
      const listed = await store.storedEngines();
      assert.deepEqual(
        listed.filter((e) => e.engineId === engine.engineId),
        [{ ...engine, templates: 2 }],
      );
      assert.equal(await store.deleteSubject(tenant.id, subject.id), true);
      assert.deepEqual((await store.storedEngines()).filter((e) => e.engineId === engine.engineId), []);
    });

    it('round-trips template bytes exactly, per engine', async () => {
      const { tenant, subject } = await tenantWithSubject();
      const first = new Uint8Array(randomBytes(200));
      const second = new Uint8Array([0, 255, 0, 1]);
      const { templateId: firstId } = await addTemplate(tenant.id, subject.id, first);
      const { templateId: secondId } = await addTemplate(tenant.id, subject.id, second);
      const other = await store.addTemplate({
        tenantId: tenant.id,
        subjectId: subject.id,
        engineId: 'other-engine',
        engineVersion: '2',
        template: new Uint8Array([7]),
        maxPerSubject: 1,
      });

      const listed = await store.listTemplates(tenant.id, subject.id);
      const byId = new Map(listed.map((entry) => [entry.templateId, entry]));
      assert.equal(listed.length, 3);
      assert.deepEqual(byId.get(firstId)?.template, first);
      assert.deepEqual(byId.get(secondId)?.template, second);
      assert.equal(byId.get(other.templateId)?.engineId, 'other-engine');
      assert.equal(byId.get(other.templateId)?.engineVersion, '2');

      const scanned = await collect({ tenantId: tenant.id, ...ENGINE });
      assert.deepEqual(new Set(scanned.map((entry) => entry.templateId)), new Set([firstId, secondId]));
      assert.deepEqual(scanned.find((entry) => entry.templateId === firstId)?.template, first);
      assert.deepEqual(await collect({ tenantId: tenant.id, engineId: ENGINE.engineId, engineVersion: '0.9' }), []);
      await assert.rejects(store.listTemplates(tenant.id, 'no-such-subject'), SubjectNotFound);
    });

    it('stores ciphertext, never the plaintext template', async () => {
      const { tenant, subject } = await tenantWithSubject();
      // Distinctive bytes, so finding them anywhere on disk could only mean a leak.
      const plaintext = Buffer.concat([Buffer.from('FKT1-PLAINTEXT-MARKER:'), randomBytes(64)]);
      const { templateId } = await addTemplate(tenant.id, subject.id, plaintext);
      const { templateId: twinId } = await addTemplate(tenant.id, subject.id, plaintext);

      const raw = Buffer.from((await harness.rawTemplate(templateId))!);
      const twin = Buffer.from((await harness.rawTemplate(twinId))!);
      assert.notDeepEqual(raw, plaintext);
      assert.equal(raw.indexOf(plaintext), -1);
      assert.equal(raw.indexOf(plaintext.subarray(22, 54)), -1, 'not even a fragment of the random part');
      assert.notDeepEqual(raw, twin, 'fresh IV per template: equal plaintexts do not give equal ciphertexts');

      scanDatabaseFiles(plaintext.subarray(22));
    });

    it('enforces the per-subject, per-engine template limit', async () => {
      const { tenant, subject } = await tenantWithSubject();
      await addTemplate(tenant.id, subject.id, randomBytes(8), 2);
      await addTemplate(tenant.id, subject.id, randomBytes(8), 2);
      await assert.rejects(addTemplate(tenant.id, subject.id, randomBytes(8), 2), TemplateLimitReached);
      await assert.rejects(addTemplate(tenant.id, 'no-such-subject', randomBytes(8), 2), SubjectNotFound);
    });

    it('holds the template limit under 20 concurrent adds (limit 5 → exactly 5 succeed)', async () => {
      const { tenant, subject } = await tenantWithSubject();
      const results = await Promise.allSettled(Array.from({ length: 20 }, () => addTemplate(tenant.id, subject.id, randomBytes(16), 5)));
      const fulfilled = results.filter((result) => result.status === 'fulfilled');
      const rejected = results.filter((result): result is PromiseRejectedResult => result.status === 'rejected');
      assert.equal(fulfilled.length, 5);
      for (const result of rejected) assert.ok(result.reason instanceof TemplateLimitReached, String(result.reason));
      assert.equal((await store.listTemplates(tenant.id, subject.id)).length, 5);
    });

    it('crypto-shreds a deleted subject: key, templates and subject all gone', async () => {
      const { tenant, subject } = await tenantWithSubject();
      const keep = await store.createSubject({ tenantId: tenant.id, externalRef: 'keep', consentId: 'c' });
      const { templateId } = await addTemplate(tenant.id, subject.id, randomBytes(32));
      await addTemplate(tenant.id, keep.id, randomBytes(32));
      assert.equal(await harness.hasDataKeyRow(subject.id), true);

      assert.equal(await store.deleteSubject(tenant.id, subject.id), true);

      assert.equal(await harness.hasDataKeyRow(subject.id), false);
      assert.equal(await harness.rawTemplate(templateId), undefined);
      assert.equal(await store.getSubject(tenant.id, subject.id), undefined);
      await assert.rejects(store.listTemplates(tenant.id, subject.id), SubjectNotFound);
      const gallery = await collect({ tenantId: tenant.id, ...ENGINE });
      assert.deepEqual(
        gallery.map((entry) => entry.subjectId),
        [keep.id],
      );
      assert.equal(await store.deleteSubject(tenant.id, subject.id), false, 'second delete finds nothing');
      assert.equal(await harness.hasDataKeyRow(keep.id), true, 'other subjects untouched');
      // The externalRef is free again once the subject is gone.
      await store.createSubject({ tenantId: tenant.id, externalRef: subject.externalRef, consentId: 'c' });
    });

    it('retains an image only sealed, bound to a template of its own subject', async () => {
      const { tenant, subject } = await tenantWithSubject();
      const { templateId } = await addTemplate(tenant.id, subject.id, randomBytes(32));
      // Distinctive bytes, so finding them anywhere on disk could only mean a leak.
      const image = Buffer.concat([Buffer.from('FKI1-IMAGE-MARKER:'), randomBytes(4096)]);
      const { imageId } = await retain(tenant.id, subject.id, templateId, image);
      const { imageId: twinId } = await retain(tenant.id, subject.id, templateId, image);
      assert.equal(await store.countRetainedImages(tenant.id, subject.id), 2);

      const raw = Buffer.from((await harness.rawImage(imageId))!);
      assert.equal(raw.length, 1 + 12 + 16 + image.length, 'the envelope format: version, IV, tag, ciphertext');
      assert.equal(raw.indexOf(image.subarray(18, 50)), -1, 'not even a fragment of the random part');
      assert.notDeepEqual(raw, Buffer.from((await harness.rawImage(twinId))!), 'fresh IV per image');
      scanDatabaseFiles(image.subarray(18));

      const sibling = await store.createSubject({ tenantId: tenant.id, externalRef: 'sibling', consentId: 'c' });
      await assert.rejects(retain(tenant.id, sibling.id, templateId, image), InvalidArgument, "another subject's template");
      await assert.rejects(retain(tenant.id, subject.id, 'no-such-template', image), InvalidArgument);
      await assert.rejects(retain(tenant.id, 'no-such-subject', templateId, image), SubjectNotFound);
      await assert.rejects(retain(tenant.id, subject.id, templateId, new Uint8Array(0)), InvalidArgument);
      await assert.rejects(retain(tenant.id, subject.id, templateId, image, 'next tuesday'), InvalidArgument);
      assert.equal(await store.countRetainedImages(tenant.id, sibling.id), 0);
      assert.equal(await store.countRetainedImages(tenant.id, 'no-such-subject'), 0);
      assert.equal(await store.countRetainedImages(tenant.id, subject.id), 2, 'refused calls stored nothing');
    });

    it('purges expired images and keeps unexpired ones', async () => {
      const { tenant, subject } = await tenantWithSubject();
      const { templateId } = await addTemplate(tenant.id, subject.id, randomBytes(32));
      const now = Date.now();
      const expired = await retain(tenant.id, subject.id, templateId, randomBytes(64), inHours(-1, now));
      const dueNow = await retain(tenant.id, subject.id, templateId, randomBytes(64), inHours(0, now));
      const kept = await retain(tenant.id, subject.id, templateId, randomBytes(64), inHours(1, now));
      // Spelled with UTC offsets so that, compared as text against a UTC "now", each would sort on
      // the wrong side: expiry must be compared as an instant.
      const expiredOffset = await retain(tenant.id, subject.id, templateId, randomBytes(64), withOffset(now - 3_600_000, 5));
      const keptOffset = await retain(tenant.id, subject.id, templateId, randomBytes(64), withOffset(now + 3_600_000, -5));
      assert.equal(await store.countRetainedImages(tenant.id, subject.id), 5, 'expired but not yet purged is still held');

      assert.ok((await store.purgeExpiredImages(new Date(now).toISOString())) >= 3);

      assert.equal(await harness.rawImage(expired.imageId), undefined);
      assert.equal(await harness.rawImage(dueNow.imageId), undefined, 'expiry is inclusive');
      assert.equal(await harness.rawImage(expiredOffset.imageId), undefined);
      assert.ok(await harness.rawImage(kept.imageId));
      assert.ok(await harness.rawImage(keptOffset.imageId));
      assert.equal(await store.countRetainedImages(tenant.id, subject.id), 2);
      assert.equal((await store.listTemplates(tenant.id, subject.id)).length, 1, 'purging images leaves templates alone');
      await assert.rejects(store.purgeExpiredImages('soon'), InvalidArgument);
    });

    it('opens the unexpired retained images of its own subject only, for re-embedding', async () => {
      const { tenant, subject } = await tenantWithSubject();
      const { templateId } = await addTemplate(tenant.id, subject.id, randomBytes(32));
      const now = Date.now();
      const first = randomBytes(256);
      const second = randomBytes(256);
      await retain(tenant.id, subject.id, templateId, randomBytes(64), inHours(-1, now));
      const a = await retain(tenant.id, subject.id, templateId, first, inHours(1, now));
      const b = await retain(tenant.id, subject.id, templateId, second, inHours(2, now));
      const opened = await store.retainedImages(tenant.id, subject.id, new Date(now).toISOString());
      const byId = (x: string[], y: string[]) => x[0]!.localeCompare(y[0]!);
      assert.deepEqual(
        opened.map((r) => [r.imageId, r.templateId, Buffer.from(r.image).toString('hex')]).sort(byId),
        [
          [a.imageId, templateId, first.toString('hex')],
          [b.imageId, templateId, second.toString('hex')],
        ].sort(byId),
        'the expired one is not served, the others round-trip bit-exact',
      );
      const other = await store.createTenant({ name: 'other' });
      await assert.rejects(store.retainedImages(other.id, subject.id, new Date(now).toISOString()), SubjectNotFound);
      await assert.rejects(store.retainedImages(tenant.id, subject.id, 'whenever'), InvalidArgument);
    });

    it('deleting the subject destroys its retained images with its key', async () => {
      const { tenant, subject } = await tenantWithSubject();
      const keep = await store.createSubject({ tenantId: tenant.id, externalRef: 'keep', consentId: 'c' });
      const { templateId } = await addTemplate(tenant.id, subject.id, randomBytes(32));
      const { templateId: keepTemplateId } = await addTemplate(tenant.id, keep.id, randomBytes(32));
      const first = await retain(tenant.id, subject.id, templateId, randomBytes(64));
      const second = await retain(tenant.id, subject.id, templateId, randomBytes(64));
      const kept = await retain(tenant.id, keep.id, keepTemplateId, randomBytes(64));

      assert.equal(await store.deleteSubject(tenant.id, subject.id), true);

      assert.equal(await harness.hasDataKeyRow(subject.id), false);
      assert.equal(await harness.rawImage(first.imageId), undefined);
      assert.equal(await harness.rawImage(second.imageId), undefined);
      assert.equal(await store.countRetainedImages(tenant.id, subject.id), 0);
      assert.ok(await harness.rawImage(kept.imageId), 'other subjects untouched');
      assert.equal(await store.countRetainedImages(tenant.id, keep.id), 1);
    });

    it('isolates retained images: another tenant cannot add to, count or delete them', async () => {
      const a = await tenantWithSubject();
      const { templateId } = await addTemplate(a.tenant.id, a.subject.id, randomBytes(32));
      const { imageId } = await retain(a.tenant.id, a.subject.id, templateId, randomBytes(64));
      const b = await tenantWithSubject();
      const { templateId: bTemplateId } = await addTemplate(b.tenant.id, b.subject.id, randomBytes(32));

      assert.equal(await store.countRetainedImages(b.tenant.id, a.subject.id), 0);
      await assert.rejects(retain(b.tenant.id, a.subject.id, templateId, randomBytes(64)), SubjectNotFound);
      await assert.rejects(
        retain(b.tenant.id, b.subject.id, templateId, randomBytes(64)),
        InvalidArgument,
        "A's template under B's subject",
      );
      await assert.rejects(
        retain(a.tenant.id, a.subject.id, bTemplateId, randomBytes(64)),
        InvalidArgument,
        "B's template under A's subject",
      );
      assert.equal(await store.deleteSubject(b.tenant.id, a.subject.id), false);

      assert.ok(await harness.rawImage(imageId), "A's image survived B's attempts");
      assert.equal(await store.countRetainedImages(a.tenant.id, a.subject.id), 1);
      assert.equal(await store.countRetainedImages(b.tenant.id, b.subject.id), 0);
    });

    // 101 subjects × 5 = 505 templates: more than one batch in either adapter (256 / 500).
    it('scans the gallery in batches across more rows than one batch', async () => {
      const { tenant, subject } = await tenantWithSubject();
      const engine = { engineId: `batch-engine-${randomBytes(3).toString('hex')}`, engineVersion: '1' };
      const subjects = [subject];
      for (let i = 0; i < 100; i++)
        subjects.push(await store.createSubject({ tenantId: tenant.id, externalRef: `batch-${i}`, consentId: 'c' }));
      const expected = new Set<string>();
      for (const each of subjects) {
        for (let j = 0; j < 5; j++) {
          const { templateId } = await store.addTemplate({
            tenantId: tenant.id,
            subjectId: each.id,
            ...engine,
            template: randomBytes(8),
            maxPerSubject: 5,
          });
          expected.add(templateId);
        }
      }
      const scanned = await collect({ tenantId: tenant.id, ...engine });
      assert.equal(scanned.length, expected.size);
      assert.deepEqual(new Set(scanned.map((entry) => entry.templateId)), expected);
    });

    it('creates, finds and revokes API keys', async () => {
      const tenant = await store.createTenant({ name: 'keys' });
      const keyId = `fk_${randomBytes(4).toString('hex')}`;
      const created = await store.createApiKey({
        tenantId: tenant.id,
        scopes: ['enroll', 'identify'],
        keyId,
        secretHash: 'hash-1',
        label: 'till 3',
      });
      assert.deepEqual(created, {
        ...created,
        keyId,
        tenantId: tenant.id,
        scopes: ['enroll', 'identify'],
        secretHash: 'hash-1',
        label: 'till 3',
        revokedAt: null,
      });
      assert.deepEqual(await store.findApiKey(keyId), created);
      await assert.rejects(store.createApiKey({ tenantId: tenant.id, scopes: [], keyId, secretHash: 'other' }), ApiKeyIdTaken);
      await assert.rejects(
        store.createApiKey({ tenantId: 'no-such-tenant', scopes: [], keyId: `${keyId}x`, secretHash: 'h' }),
        TenantNotFound,
      );

      const operatorKeyId = `${keyId}_op`;
      const operator = await store.createApiKey({ tenantId: null, scopes: ['admin'], keyId: operatorKeyId, secretHash: 'hash-op' });
      assert.equal(operator.tenantId, null);
      assert.equal(operator.label, null);

      assert.equal(await store.revokeApiKey(keyId), true);
      const revoked = await store.findApiKey(keyId);
      assert.ok(revoked?.revokedAt);
      assert.equal(await store.revokeApiKey(keyId), true);
      assert.equal((await store.findApiKey(keyId))?.revokedAt, revoked.revokedAt, 'first revocation time kept');
      assert.equal((await store.findApiKey(operatorKeyId))?.revokedAt, null);
      assert.equal(await store.revokeApiKey('no-such-key'), false);
      assert.equal(await store.findApiKey('no-such-key'), undefined);
    });

    it('keeps the first idempotent response (first writer wins)', async () => {
      const tenant = await store.createTenant({ name: 'idem' });
      assert.equal(await store.getIdempotent(tenant.id, 'k1'), undefined);
      const first = { status: 201, body: { subjectId: 's-1', scores: [0.5, 1] } };
      assert.deepEqual(await store.putIdempotent(tenant.id, 'k1', 'hash-1', first), { requestHash: 'hash-1', response: first });
      const second = await store.putIdempotent(tenant.id, 'k1', 'hash-2', { status: 500 });
      assert.deepEqual(second, { requestHash: 'hash-1', response: first }, 'the loser gets the winner back');
      assert.deepEqual(await store.getIdempotent(tenant.id, 'k1'), { requestHash: 'hash-1', response: first });

      const racers = await Promise.all(['a', 'b', 'c', 'd'].map((hash) => store.putIdempotent(tenant.id, 'k2', hash, { hash })));
      assert.equal(new Set(racers.map((record) => record.requestHash)).size, 1, 'concurrent writers all see one winner');
      await assert.rejects(store.putIdempotent('no-such-tenant', 'k', 'h', {}), TenantNotFound);
    });

    it('reserves an idempotency key for exactly one of several concurrent runs', async () => {
      const tenant = await store.createTenant({ name: 'idem-reserve' });
      const claims = await Promise.all([1, 2, 3, 4].map(() => store.reserveIdempotent(tenant.id, 'r1', 'hash-r', 60_000)));
      assert.equal(claims.filter((c) => c.state === 'reserved').length, 1, 'one run holds the key');
      assert.deepEqual(
        claims.filter((c) => c.state !== 'reserved'),
        [1, 2, 3].map(() => ({ state: 'pending', requestHash: 'hash-r' })),
      );
      assert.equal(await store.getIdempotent(tenant.id, 'r1'), undefined, 'a reservation is not a response');

      const response = { templateId: 't-1' };
      assert.deepEqual(await store.putIdempotent(tenant.id, 'r1', 'hash-r', response), { requestHash: 'hash-r', response });
      assert.deepEqual(await store.reserveIdempotent(tenant.id, 'r1', 'hash-r', 60_000), {
        state: 'completed',
        record: { requestHash: 'hash-r', response },
      });
      const other = await store.createTenant({ name: 'idem-reserve-other' });
      assert.deepEqual(await store.reserveIdempotent(other.id, 'r1', 'hash-r', 60_000), { state: 'reserved' }, 'keys are per tenant');

      await assert.rejects(store.reserveIdempotent('no-such-tenant', 'r', 'h', 60_000), TenantNotFound);
      await assert.rejects(store.reserveIdempotent(tenant.id, 'r', 'h', 0), InvalidArgument);
    });

    it('releases a failed run so a retry can run, but never drops a completed record', async () => {
      const tenant = await store.createTenant({ name: 'idem-release' });
      assert.equal((await store.reserveIdempotent(tenant.id, 'r2', 'hash-a', 60_000)).state, 'reserved');
      await store.releaseIdempotent(tenant.id, 'r2', 'hash-b');
      assert.equal((await store.reserveIdempotent(tenant.id, 'r2', 'hash-a', 60_000)).state, 'pending', 'only the holder releases');
      await store.releaseIdempotent(tenant.id, 'r2', 'hash-a');
      assert.equal((await store.reserveIdempotent(tenant.id, 'r2', 'hash-a', 60_000)).state, 'reserved', 'the retry holds it now');

      await store.putIdempotent(tenant.id, 'r2', 'hash-a', { ok: true });
      await store.releaseIdempotent(tenant.id, 'r2', 'hash-a');
      assert.deepEqual(await store.getIdempotent(tenant.id, 'r2'), { requestHash: 'hash-a', response: { ok: true } });
    });

    it('lets reservations lapse and records expire, and purges both', async () => {
      const tenant = await store.createTenant({ name: 'idem-expiry' });
      const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
      assert.equal((await store.reserveIdempotent(tenant.id, 'lapsing', 'hash-1', 100)).state, 'reserved');
      assert.equal((await store.reserveIdempotent(tenant.id, 'lapsing', 'hash-1', 100)).state, 'pending');
      await store.putIdempotent(tenant.id, 'short', 'hash-s', { n: 1 }, 100);
      await store.putIdempotent(tenant.id, 'long', 'hash-l', { n: 2 });
      assert.deepEqual(await store.getIdempotent(tenant.id, 'short'), { requestHash: 'hash-s', response: { n: 1 } });
      await pause(250);

      // A crashed run's reservation no longer blocks the key; an expired record is neither replayed nor kept.
      assert.equal((await store.reserveIdempotent(tenant.id, 'lapsing', 'hash-2', 60_000)).state, 'reserved');
      assert.equal(await store.getIdempotent(tenant.id, 'short'), undefined);
      assert.deepEqual(await store.putIdempotent(tenant.id, 'short', 'hash-t', { n: 3 }), { requestHash: 'hash-t', response: { n: 3 } });

      await store.putIdempotent(tenant.id, 'purged', 'hash-p', { n: 4 }, 100);
      await pause(250);
      assert.ok((await store.purgeExpiredIdempotent()) >= 1);
      assert.equal((await store.reserveIdempotent(tenant.id, 'lapsing', 'hash-3', 60_000)).state, 'pending', 'a live reservation survives');
      assert.deepEqual(await store.getIdempotent(tenant.id, 'long'), { requestHash: 'hash-l', response: { n: 2 } });
      assert.deepEqual(await store.getIdempotent(tenant.id, 'short'), { requestHash: 'hash-t', response: { n: 3 } });
      await assert.rejects(store.putIdempotent(tenant.id, 'k', 'h', {}, -5), InvalidArgument);
    });
  });
}
