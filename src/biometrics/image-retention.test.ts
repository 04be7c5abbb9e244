import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import type { FaceService } from '../pipeline/face-service.js';
import type { ProcessResult } from '../pipeline/face-pipeline.js';
import { Calibration } from '../matcher/calibration/calibration-table.js';
import { ExactIndex } from '../matcher/index/exact-index.js';
import { createEngine, DEFAULT_ENGINE_ID } from '../engines/engine-registry.js';
import { createTemplate } from '../templates/template.js';
import { encodeTemplate } from '../templates/template-codec.js';
import { randomVector, seededRandom } from '../runtime/seeded-random.js';
import { composeTestPlatform } from '../../test/kit/test-platform.js';
import { QualityTooLow } from '../errors/domain-errors.js';
import { GalleryRegistry } from './gallery-registry.js';
import { BiometricService, DEFAULT_BIOMETRIC_POLICY, type Sample } from './biometric-service.js';

const engine = createEngine(DEFAULT_ENGINE_ID);
const random = seededRandom(4);
/** Every capture here is of one person (enrollment refuses a second person in a subject): small noise around one face. */
const person = randomVector(engine.dimension, random);
const templateBytes = () =>
  encodeTemplate(
    createTemplate(
      engine,
      person.map((x) => x + (random() * 2 - 1) * 0.002),
    ),
  );
/** Photos starting with this byte are refused by the quality gate. */
const BLURRED = 0x00;

/** Stands in for the pipeline: any photo is one good face, unless it is marked as blurred. */
const FACES = {
  process: async (image: Uint8Array) =>
    ({
      selected: {
        quality:
          image[0] === BLURRED
            ? { score: 0.2, acceptable: false, reasons: [{ code: 'blur', message: 'too blurred' }] }
            : { score: 0.9, acceptable: true, reasons: [] },
        presentation: { passed: true, reasons: [] },
        templates: [{ engine: engine.id, engineVersion: engine.version, template: templateBytes() }],
      },
    }) as unknown as ProcessResult,
} as unknown as FaceService;

const photo = (): Sample => ({ image: Buffer.concat([Buffer.of(0xff), randomBytes(512)]) });
const blurredPhoto = (): Sample => ({ image: Buffer.concat([Buffer.of(BLURRED), randomBytes(512)]) });
const deviceTemplate = (): Sample => ({ template: templateBytes() });

describe('enrollment image retention', () => {
  let dir: string;
  let store: SqliteStore;
  let tenantId: string;
  const masterKey = randomBytes(32);
  const now = new Date('2026-03-01T10:00:00.000Z');

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'facekey-image-retention-'));
    store = await SqliteStore.open({ path: path.join(dir, 'facekey.sqlite'), masterKey });
    tenantId = (await store.createTenant({ name: 'shop' })).id;
  });
  after(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const galleries = () => new GalleryRegistry(engine, (dimension) => new ExactIndex({ dimension }));

  function service(imageRetentionHours: number): BiometricService {
    const policy = { ...DEFAULT_BIOMETRIC_POLICY, imageRetentionHours };
    return new BiometricService(store, FACES, Calibration.load(), galleries(), engine, policy, { clock: () => now });
  }

  async function newSubject(): Promise<string> {
    return (await store.createSubject({ tenantId, externalRef: `p-${randomBytes(4).toString('hex')}`, consentId: 'c' })).id;
  }

  function expiries(subjectId: string): string[] {
    const rows = store.connection
      .prepare('SELECT expires_at FROM retained_images WHERE subject_id = ? ORDER BY expires_at')
      .all(subjectId) as Array<{ expires_at: string }>;
    return rows.map((row) => row.expires_at);
  }

  it('keeps nothing by default', async () => {
    assert.equal(DEFAULT_BIOMETRIC_POLICY.imageRetentionHours, 0);
    const subjectId = await newSubject();
    const biometrics = new BiometricService(store, FACES, Calibration.load(), galleries(), engine);
    await biometrics.enroll(tenantId, subjectId, photo());
    await service(0).enroll(tenantId, subjectId, photo());
    assert.equal((await store.listTemplates(tenantId, subjectId)).length, 2, 'both photos were enrolled');
    assert.equal(await store.countRetainedImages(tenantId, subjectId), 0);
  });

  it('when on, keeps one image per accepted photo, bound to its template, until the retention period ends', async () => {
    const subjectId = await newSubject();
    const biometrics = service(24);
    const first = await biometrics.enroll(tenantId, subjectId, photo());
    await biometrics.enroll(tenantId, subjectId, deviceTemplate());
    await assert.rejects(biometrics.enroll(tenantId, subjectId, blurredPhoto()), QualityTooLow);
    const many = await biometrics.enrollMany(tenantId, subjectId, [photo(), blurredPhoto(), deviceTemplate()]);
    assert.deepEqual([many.accepted.length, many.refused.map((refusal) => refusal.code)], [2, ['quality_too_low']]);

    assert.equal((await store.listTemplates(tenantId, subjectId)).length, 4);
    assert.equal(await store.countRetainedImages(tenantId, subjectId), 2, 'the two accepted photos; no device template, no refused photo');
    const expiresAt = new Date(now.getTime() + 24 * 3_600_000).toISOString();
    assert.deepEqual(expiries(subjectId), [expiresAt, expiresAt]);
    const boundTo = store.connection.prepare('SELECT template_id FROM retained_images WHERE subject_id = ?').pluck().all(subjectId);
    assert.ok(boundTo.includes(first.templateId), 'the image is bound to the template it became');

    await store.purgeExpiredImages(new Date(now.getTime() + 23 * 3_600_000).toISOString());
    assert.equal(await store.countRetainedImages(tenantId, subjectId), 2, 'still within the retention period');
    assert.ok((await store.purgeExpiredImages(expiresAt)) >= 2);
    assert.equal(await store.countRetainedImages(tenantId, subjectId), 0);
    assert.equal((await store.listTemplates(tenantId, subjectId)).length, 4, 'the templates stay enrolled');
  });

  it('device-template enrollment keeps nothing, whatever the setting', async () => {
    const subjectId = await newSubject();
    await service(720).enroll(tenantId, subjectId, deviceTemplate());
    assert.equal(await store.countRetainedImages(tenantId, subjectId), 0);
  });

  it('the platform passes the setting through; the export counts retained images and never carries them', async () => {
    for (const [imageRetentionHours, expected] of [
      [undefined, 0],
      [12, 1],
    ] as const) {
      const platform = await composeTestPlatform(store, FACES, masterKey, { settings: { imageRetentionHours, clock: () => now } });
      const consent = await platform.consent.grant(tenantId, 'test', {
        textVersion: 'eu-2026-11',
        purposes: ['payment'],
        jurisdiction: 'EU',
        deviceId: 'k',
      });
      const subject = await platform.consent.createSubject(tenantId, 'test', {
        externalRef: `export-${imageRetentionHours ?? 'off'}`,
        consentId: consent.id,
      });
      const image = photo();
      await platform.biometrics.enroll(tenantId, subject.id, image);

      const exported = await platform.consent.exportData(tenantId, subject.id);
      assert.deepEqual(Object.keys(exported.retainedImages as object), ['count', 'note']);
      assert.equal((exported.retainedImages as { count: number }).count, expected);
      const hex = Buffer.from((image as { image: Uint8Array }).image).toString('hex');
      const base64 = Buffer.from((image as { image: Uint8Array }).image).toString('base64');
      const json = JSON.stringify(exported);
      assert.ok(!json.includes(hex.slice(2, 66)) && !json.includes(base64.slice(4, 64)), 'no image bytes in the export');

      const [enrollment] = (await platform.audit.entries({ limit: 1000 })).filter(
        (entry) => entry.type === 'enrollment' && entry.data.subjectId === subject.id,
      );
      assert.equal(enrollment?.data.imageRetentionHours, imageRetentionHours, 'the audit trail says whether and how long');
    }
  });
});
