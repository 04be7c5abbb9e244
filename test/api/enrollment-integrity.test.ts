/**
 * Enrollment that cannot be poisoned (issue 12, item 2), over HTTP with real photos: one subject
 * holds one person, a batch is consistent within itself, a group photo is refused, a face already
 * enrolled under another subject is refused unless an admin overrides it, and the override is in
 * the audit chain. deepface-fixtures img1, img2, img4, img5, img6 are one woman; img3 is a man.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { createInProcessFaceService } from '../../src/pipeline/in-process-face-service.js';
import { DEFAULT_ENGINE_ID } from '../../src/engines/engine-registry.js';
import { verifyAuditChain } from '../../src/audit/verify-chain.js';
import { deepface, sharedDataMissingReason } from '../shared-data.js';
import { startTestApp } from '../kit/test-app.js';

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');
const photo = (file: string) => ({ image: b64(deepface(file)) });

/** Four different people side by side, 2 × 2: a photo with four faces. */
async function fourFaces(): Promise<Uint8Array> {
  const tiles = await Promise.all(
    ['img1.jpg', 'img3.jpg', 'img13.jpg', 'img8.jpg'].map((f) => sharp(deepface(f)).resize(400, 400, { fit: 'cover' }).toBuffer()),
  );
  const composed = await sharp({ create: { width: 800, height: 800, channels: 3, background: '#808080' } })
    .composite(tiles.map((input, i) => ({ input, left: (i % 2) * 400, top: Math.floor(i / 2) * 400 })))
    .jpeg({ quality: 92 })
    .toBuffer();
  return new Uint8Array(composed);
}

test('enrollment integrity, in process with real photos', { skip: sharedDataMissingReason(), timeout: 600_000 }, async (t) => {
  const faces = await createInProcessFaceService([DEFAULT_ENGINE_ID]);
  const { app, platform, operatorKey } = await startTestApp(t, 'enroll-integrity', { faces, readiness: async () => ({ store: true, models: true }) });
  const operator = await operatorKey();

  const call = async (method: 'GET' | 'POST', url: string, token: string, body?: unknown) => {
    const response = await app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}` },
      ...(body !== undefined ? { payload: body as object } : {}),
    });
    return { status: response.statusCode, body: response.body ? JSON.parse(response.body) : undefined, headers: response.headers };
  };
  const tenant = (await call('POST', '/v1/tenants', operator, { name: 'Shop' })).body;
  const admin = (await call('POST', `/v1/tenants/${tenant.id}/api-keys`, operator, { scopes: ['admin'] })).body;
  const kiosk = (await call('POST', `/v1/tenants/${tenant.id}/api-keys`, operator, { scopes: ['enroll'] })).body.token as string;
  const newSubject = async (ref: string): Promise<string> => {
    const consent = await call('POST', '/v1/consents', kiosk, {
      textVersion: 'eu-2026-11',
      purposes: ['payment'],
      jurisdiction: 'EU',
      deviceId: 'kiosk-1',
    });
    const subject = await call('POST', '/v1/subjects', kiosk, { externalRef: ref, consentId: consent.body.id });
    assert.equal(subject.status, 201, JSON.stringify(subject.body));
    return subject.body.id as string;
  };
  const refusedCodes = (body: { refused: Array<{ index: number; code: string }> }) => body.refused.map((r) => [r.index, r.code]);

  const woman = await newSubject('woman');

  await t.test('a batch of four photos of one person and one of another: the other is refused, per index', async () => {
    const r = await call('POST', `/v1/subjects/${woman}/templates/batch`, kiosk, {
      samples: [photo('img1.jpg'), photo('img2.jpg'), photo('img3.jpg'), photo('img4.jpg'), photo('img5.jpg')],
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(
      r.body.accepted.map((a: { index: number }) => a.index),
      [0, 1, 3, 4],
    );
    assert.deepEqual(refusedCodes(r.body), [[2, 'identity_mismatch']]);
    // The man does not verify as the subject: nothing of him was stored.
    const verify = await call('POST', '/v1/verify', admin.token, { subjectId: woman, ...photo('img3.jpg') });
    assert.equal(verify.body.match, false);
  });

  await t.test("a single sample of another person is refused against the subject's templates (409 problem+json)", async () => {
    const r = await call('POST', `/v1/subjects/${woman}/templates`, kiosk, photo('img3.jpg'));
    assert.equal(r.status, 409, JSON.stringify(r.body));
    assert.equal(r.body.code, 'identity_mismatch');
    assert.match(String(r.headers['content-type']), /application\/problem\+json/);
    assert.ok(r.body.score < r.body.threshold, 'the refusal carries its evidence');
    assert.equal(r.body.targetFmr, 1e-5);
    // Her own further photo is admitted.
    assert.equal((await call('POST', `/v1/subjects/${woman}/templates`, kiosk, photo('img6.jpg'))).status, 201);
  });

  await t.test('a photo with four faces is refused (multiple_faces), also as a first sample', async () => {
    const group = { image: b64(await fourFaces()) };
    const fresh = await newSubject('group-photo');
    const single = await call('POST', `/v1/subjects/${fresh}/templates`, kiosk, group);
    assert.equal(single.status, 422, JSON.stringify(single.body));
    assert.equal(single.body.code, 'multiple_faces');
    assert.equal(single.body.faces, 4, 'the detector saw the four faces');
    const batch = await call('POST', `/v1/subjects/${fresh}/templates/batch`, kiosk, { samples: [group] });
    assert.deepEqual(refusedCodes(batch.body), [[0, 'multiple_faces']]);
  });

  const second = await newSubject('woman-again');

  await t.test('the same person enrolled under a second subject is refused (duplicate_identity)', async () => {
    const r = await call('POST', `/v1/subjects/${second}/templates`, kiosk, photo('img7.jpg'));
    assert.equal(r.status, 409, JSON.stringify(r.body));
    assert.equal(r.body.code, 'duplicate_identity');
    assert.equal(r.body.subjectId, undefined, 'which subject it matched is not revealed');
    assert.equal(JSON.stringify(r.body).includes(woman), false);
    const batch = await call('POST', `/v1/subjects/${second}/templates/batch`, kiosk, { samples: [photo('img7.jpg'), photo('img10.jpg')] });
    assert.deepEqual(refusedCodes(batch.body), [
      [0, 'duplicate_identity'],
      [1, 'duplicate_identity'],
    ]);
  });

  await t.test('only an admin key may override it, and the override is in the audit chain', async () => {
    const notAdmin = await call('POST', `/v1/subjects/${second}/templates`, kiosk, { ...photo('img7.jpg'), allowDuplicate: true });
    assert.equal(notAdmin.status, 403, JSON.stringify(notAdmin.body));
    const overridden = await call('POST', `/v1/subjects/${second}/templates`, admin.token, { ...photo('img7.jpg'), allowDuplicate: true });
    assert.equal(overridden.status, 201, JSON.stringify(overridden.body));

    const entries = await platform.audit.entries({ limit: 1000 });
    const entry = entries.find(
      (e) => e.type === 'enrollment' && (e.data as { templateId?: string }).templateId === overridden.body.templateId,
    );
    assert.ok(entry, 'the overriding enrollment is audited');
    assert.equal(entry.actor, `key:${admin.keyId}`);
    const override = (entry.data as { duplicateOverride?: Array<{ subjectId: string; score: number }> }).duplicateOverride;
    assert.deepEqual(
      override?.map((o) => o.subjectId),
      [woman],
    );
    assert.ok(override![0]!.score >= (entry.data as { identity: { threshold: number } }).identity.threshold);
    assert.equal((await verifyAuditChain(entries)).ok, true);
  });

  await t.test('a stranger enrolls normally: the checks refuse only what they should', async () => {
    const man = await newSubject('man');
    const r = await call('POST', `/v1/subjects/${man}/templates/batch`, kiosk, { samples: [photo('img13.jpg'), photo('img14.jpg')] });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body.refused, []);
    assert.equal(r.body.accepted.length, 2);
  });
});
