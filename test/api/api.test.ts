import test from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import sharp from 'sharp';
import { createInProcessFaceService } from '../../src/pipeline/in-process-face-service.js';
import { DEFAULT_ENGINE_ID } from '../../src/engines/engine-registry.js';
import { deepface, sharedDataMissingReason } from '../shared-data.js';
import { startTestApp } from '../kit/test-app.js';

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

test('biometric HTTP API, in process', { skip: sharedDataMissingReason(), timeout: 600_000 }, async (t) => {
  const faces = await createInProcessFaceService([DEFAULT_ENGINE_ID]);
  const metricsToken = 'metrics-' + randomBytes(12).toString('hex');
  const { app, operatorKey } = await startTestApp(t, 'api', { faces, metricsToken, readiness: async () => ({ store: true, models: true }) });
  const operator = await operatorKey();

  const call = async (
    method: 'GET' | 'POST' | 'DELETE',
    url: string,
    token?: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    const response = await app.inject({
      method,
      url,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
      ...(body !== undefined ? { payload: body as object } : {}),
    });
    return { status: response.statusCode, body: response.body ? JSON.parse(response.body) : undefined, headers: response.headers };
  };

  await t.test('operations endpoints: health, ready, OpenAPI, metrics', async () => {
    assert.equal((await call('GET', '/health')).status, 200);
    assert.equal((await call('GET', '/ready')).body.status, 'ready');
    const openapi = await call('GET', '/openapi.json');
    assert.equal(openapi.body.openapi.startsWith('3'), true);
    for (const p of [
      '/v1/tenants',
      '/v1/subjects',
      '/v1/verify',
      '/v1/identify',
      '/v1/subjects/{id}/templates',
      '/v1/consents',
      '/v1/subjects/{id}/opt-out',
      '/v1/subjects/{id}/export',
      '/v1/terminals',
      '/v1/checkout',
      '/.well-known/jwks.json',
    ])
      assert.ok(openapi.body.paths[p], `${p} missing`);
    const metrics = await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${metricsToken}` } });
    assert.match(metrics.body, /facekey_http_request_seconds/);
    const anonymous = await app.inject({ method: 'GET', url: '/metrics' });
    assert.equal(anonymous.statusCode, 401, 'metrics are not public');
    assert.match(String(anonymous.headers['content-type']), /problem\+json/);
  });

  await t.test('no key, a bad key: 401 problem+json', async () => {
    for (const token of [undefined, 'nonsense', `fk_${'0'.repeat(16)}_${'a'.repeat(43)}`]) {
      const r = await call('POST', '/v1/tenants', token, { name: 'x' });
      assert.equal(r.status, 401);
      assert.equal(r.body.code, 'unauthorized');
      assert.match(String(r.headers['content-type']), /application\/problem\+json/);
    }
  });

  const tenantA = (await call('POST', '/v1/tenants', operator, { name: 'Shop A' })).body;
  const tenantB = (await call('POST', '/v1/tenants', operator, { name: 'Shop B' })).body;
  const keyA = (await call('POST', `/v1/tenants/${tenantA.id}/api-keys`, operator, { scopes: ['admin'] })).body.token;
  const keyB = (await call('POST', `/v1/tenants/${tenantB.id}/api-keys`, operator, { scopes: ['admin'] })).body.token;
  const verifyOnlyA = (await call('POST', `/v1/tenants/${tenantA.id}/api-keys`, operator, { scopes: ['verify'] })).body.token;
  const optIn = async (token: string) =>
    (
      await call('POST', '/v1/consents', token, {
        textVersion: 'eu-2026-11',
        purposes: ['payment'],
        jurisdiction: 'EU',
        deviceId: 'kiosk-1',
      })
    ).body.id as string;
  const subject = (await call('POST', '/v1/subjects', keyA, { externalRef: 'customer-1', consentId: await optIn(keyA) })).body;

  await t.test('strict validation: unknown fields and missing consent are refused', async () => {
    const unknown = await call('POST', '/v1/subjects', keyA, { externalRef: 'c2', consentId: 'k', extra: true });
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.code, 'invalid_argument');
    assert.equal((await call('POST', '/v1/subjects', keyA, { externalRef: 'c3' })).status, 400);
    const noConsent = await call('POST', '/v1/subjects', keyA, { externalRef: 'c4', consentId: 'no-such-consent' });
    assert.equal(noConsent.body.code, 'consent_missing');
    const otherTenantsConsent = await call('POST', '/v1/subjects', keyA, { externalRef: 'c5', consentId: await optIn(keyB) });
    assert.equal(otherTenantsConsent.body.code, 'consent_missing');
    assert.equal((await call('POST', '/v1/subjects', keyA, { externalRef: 'customer-1', consentId: await optIn(keyA) })).status, 409);
  });

  await t.test('enrollment returns its capture evidence; retries with an Idempotency-Key do not duplicate', async () => {
    const body = { image: b64(deepface('img1.jpg')) };
    const first = await call('POST', `/v1/subjects/${subject.id}/templates`, keyA, body, { 'idempotency-key': 'enroll-1' });
    assert.equal(first.status, 201, JSON.stringify(first.body));
    assert.ok(first.body.templateId);
    assert.ok(first.body.capture.quality.acceptable);
    assert.equal(first.body.engine.id, DEFAULT_ENGINE_ID);
    const retry = await call('POST', `/v1/subjects/${subject.id}/templates`, keyA, body, { 'idempotency-key': 'enroll-1' });
    assert.equal(retry.body.templateId, first.body.templateId);
    assert.equal(retry.headers['idempotent-replayed'], 'true');
    const misuse = await call(
      'POST',
      `/v1/subjects/${subject.id}/templates`,
      keyA,
      { image: b64(deepface('img2.jpg')) },
      { 'idempotency-key': 'enroll-1' },
    );
    assert.equal(misuse.status, 409);
  });

  await t.test('batch enrollment: each capture is gated on its own, refusals carry their codes', async () => {
    const second = (await call('POST', '/v1/subjects', keyA, { externalRef: 'customer-2', consentId: await optIn(keyA) })).body;
    const sky = await sharp({ create: { width: 320, height: 240, channels: 3, background: '#6aa0d8' } })
      .jpeg()
      .toBuffer();
    const r = await call('POST', `/v1/subjects/${second.id}/templates/batch`, keyA, {
      samples: [
        { image: b64(deepface('img3.jpg')) },
        { image: b64(new TextEncoder().encode('not an image')) },
        { image: b64(new Uint8Array(sky)) },
      ],
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(
      r.body.accepted.map((a: { index: number }) => a.index),
      [0],
    );
    assert.deepEqual(
      r.body.refused.map((x: { index: number; code: string }) => [x.index, x.code]),
      [
        [1, 'invalid_image'],
        [2, 'face_not_found'],
      ],
    );
    const missing = await call('POST', '/v1/subjects/nope/templates/batch', keyA, { samples: [{ image: b64(deepface('img3.jpg')) }] });
    assert.equal(missing.status, 404);
    assert.equal((await call('DELETE', `/v1/subjects/${second.id}`, keyA)).status, 204);
  });

  await t.test('verify (1:1): same person matches, another does not, with score, threshold, target FMR, engine', async () => {
    const same = await call('POST', '/v1/verify', verifyOnlyA, { subjectId: subject.id, image: b64(deepface('img2.jpg')) });
    assert.equal(same.status, 200, JSON.stringify(same.body));
    assert.equal(same.body.match, true);
    assert.ok(same.body.score >= same.body.threshold);
    assert.equal(same.body.targetFmr, 1e-5);
    assert.equal(same.body.engine.id, DEFAULT_ENGINE_ID);
    const other = await call('POST', '/v1/verify', verifyOnlyA, {
      subjectId: subject.id,
      image: b64(deepface('img3.jpg')),
      targetFmr: 1e-3,
    });
    assert.equal(other.body.match, false);
    assert.equal(other.body.targetFmr, 1e-3);
  });

  await t.test('identify (1:N) is open-set and never crosses tenants', async () => {
    const found = await call('POST', '/v1/identify', keyA, { image: b64(deepface('img2.jpg')) });
    assert.deepEqual(
      found.body.candidates.map((c: { subjectId: string }) => c.subjectId),
      [subject.id],
    );
    const stranger = await call('POST', '/v1/identify', keyA, { image: b64(deepface('img3.jpg')) });
    assert.deepEqual(stranger.body.candidates, []);
    const otherTenant = await call('POST', '/v1/identify', keyB, { image: b64(deepface('img2.jpg')) });
    assert.deepEqual(otherTenant.body.candidates, []);
    assert.equal((await call('GET', `/v1/subjects/${subject.id}`, keyB)).status, 404);
    assert.equal((await call('POST', '/v1/verify', keyB, { subjectId: subject.id, image: b64(deepface('img2.jpg')) })).status, 404);
  });

  await t.test('scopes, bad images and faceless photos map to stable codes', async () => {
    const forbidden = await call('POST', '/v1/subjects', verifyOnlyA, { externalRef: 'x', consentId: 'k' });
    assert.equal(forbidden.status, 403);
    const junk = await call('POST', '/v1/identify', keyA, { image: b64(new TextEncoder().encode('not an image')) });
    assert.equal(junk.body.code, 'invalid_image');
    const sky = await sharp({ create: { width: 320, height: 240, channels: 3, background: '#6aa0d8' } })
      .jpeg()
      .toBuffer();
    const noFace = await call('POST', '/v1/identify', keyA, { image: b64(new Uint8Array(sky)) });
    assert.equal(noFace.body.code, 'face_not_found');
    const both = await call('POST', '/v1/identify', keyA, { image: 'aGk=', template: 'aGk=' });
    assert.equal(both.status, 400);
  });

  await t.test('deleting a subject erases it from the store and from 1:N at once', async () => {
    assert.equal((await call('DELETE', `/v1/subjects/${subject.id}`, keyA)).status, 204);
    assert.equal((await call('GET', `/v1/subjects/${subject.id}`, keyA)).status, 404);
    const after = await call('POST', '/v1/identify', keyA, { image: b64(deepface('img2.jpg')) });
    assert.deepEqual(after.body.candidates, []);
  });

  await t.test('a revoked key stops working', async () => {
    const issued = (await call('POST', `/v1/tenants/${tenantA.id}/api-keys`, keyA, { scopes: ['verify'] })).body;
    assert.equal((await call('DELETE', `/v1/api-keys/${issued.keyId}`, keyA)).status, 204);
    assert.equal((await call('POST', '/v1/verify', issued.token, { subjectId: 'x', image: 'aGk=' })).status, 401);
  });
});
