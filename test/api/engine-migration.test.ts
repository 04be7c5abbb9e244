/**
 * An engine upgrade without re-enrollment, in process with real photos: a tenant whose subjects
 * were enrolled with `dlib-resnet` switches to `dlib-resnet-tta` (both calibrated). Its subjects
 * keep paying through the fallback to the old engine at that engine's own threshold, each
 * successful use stores a template of the new engine from the same capture, the migration endpoint
 * climbs to 100 %, and from then on search uses the new engine only. A device still sending
 * templates of the old engine is told to update (`engine_outdated`). Where enrollment photos are
 * retained, a background job re-embeds them without waiting for the subject's next visit.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createInProcessFaceService } from '../../src/pipeline/in-process-face-service.js';
import { createEngine } from '../../src/engines/engine-registry.js';
import { generateTerminalKeyPair, signTerminalRequest } from '../../src/devices/terminal-client.js';
import { deepface, sharedDataMissingReason } from '../shared-data.js';
import { jsonInject, startTestApp, tenantWithAdmin } from '../kit/test-app.js';

const OLD = 'dlib-resnet';
const NEW = 'dlib-resnet-tta';
const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

test('engine upgrade without re-enrollment', { skip: sharedDataMissingReason(), timeout: 600_000 }, async (t) => {
  const faces = await createInProcessFaceService([OLD, NEW]);
  const oldEngine = createEngine(OLD);
  const newEngine = createEngine(NEW);
  const { app, platform, operatorKey } = await startTestApp(t, 'engine-migration', {
    faces,
    // Enrollment photos are kept a day: the background re-embedding has something to work on.
    platformOptions: { engineIds: [OLD, NEW], settings: { imageRetentionHours: 24 } },
  });
  const operator = await operatorKey();
  const inject = jsonInject(app);
  /** A subject under a fresh payment consent captured on `deviceId`. */
  const consentedSubject = async (key: string, ref: string, deviceId: string) => {
    const consent = await inject('POST', '/v1/consents', key, {
      textVersion: 'eu-2026-11',
      purposes: ['payment'],
      jurisdiction: 'EU',
      deviceId,
    });
    return (await inject('POST', '/v1/subjects', key, { externalRef: ref, consentId: consent.body.id })).body;
  };

  const { tenant, admin } = await tenantWithAdmin(inject, operator, 'upgrading shop');
  // Photos stand in for a live capture here: the tenant accepts single-frame liveness, so the engine
  // decides the payment rather than the liveness-session requirement.
  const sessionless = await inject('PUT', '/v1/risk-policy', admin, { allowSessionlessLiveness: true });
  assert.equal(sessionless.status, 200, JSON.stringify(sessionless.body));
  const keys = generateTerminalKeyPair();
  const till = (await inject('POST', '/v1/terminals', admin, { label: 'till', kind: 'checkout', publicKey: keys.publicJwk })).body;
  const checkout = (probe: Record<string, unknown>) => {
    const json = JSON.stringify({ amount: 500, currency: 'EUR', merchantRef: `order-${randomBytes(4).toString('hex')}`, ...probe });
    const signature = signTerminalRequest(
      { method: 'POST', url: 'http://terminal.test/v1/checkout', headers: { 'content-type': 'application/json' }, body: json },
      { terminalId: till.id, privateKey: keys.privateKey },
    );
    return inject('POST', '/v1/checkout', undefined, json, { 'content-type': 'application/json', host: 'terminal.test', ...signature });
  };
  const enrollCustomer = async (ref: string, photo: string) => {
    const subject = await consentedSubject(admin, ref, 'kiosk-1');
    const enrolled = await inject('POST', `/v1/subjects/${subject.id}/templates`, admin, { image: b64(deepface(photo)) });
    assert.equal(enrolled.status, 201, JSON.stringify(enrolled.body));
    assert.equal(enrolled.body.engine.id, OLD);
    const linked = await inject('POST', `/v1/subjects/${subject.id}/tokens`, admin, { tokenRef: `tok_${randomBytes(12).toString('hex')}` });
    assert.equal(linked.status, 204, JSON.stringify(linked.body));
    return subject.id as string;
  };
  const auditOf = async (type: string) =>
    (await platform.audit.entries({ limit: 1000 })).filter((e) => e.type === type && e.tenantId === tenant.id);
  const progress = async () => {
    const r = await inject('GET', '/v1/engine-migration', admin);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body;
  };

  // Three customers enrolled under the old engine (pairs of deepface photos of the same person).
  const alice = await enrollCustomer('alice', 'img1.jpg');
  const carol = await enrollCustomer('carol', 'img20.jpg');
  const dave = await enrollCustomer('dave', 'img16.jpg');

  await t.test('GET /v1/engines: every engine with its version, calibration and provenance; which ones run', async () => {
    const r = await inject('GET', '/v1/engines', admin);
    assert.equal(r.status, 200);
    const byId = new Map<string, any>(r.body.engines.map((e: { id: string }) => [e.id, e]));
    for (const id of [OLD, NEW]) {
      const e = byId.get(id);
      assert.equal(e.served, true, `${id} runs`);
      assert.equal(e.dimension, 128);
      assert.equal(e.calibration.calibrated, true);
      assert.ok(e.calibration.targetFmrs.includes(1e-5), `${id} is calibrated at 1e-5`);
      assert.equal(e.provenance.package, '@vladmandic/face-api');
      assert.match(e.provenance.version, /^\d+\.\d+\.\d+/);
      assert.equal(e.provenance.licence, 'MIT');
      assert.ok(['permitted', 'research-only', 'unknown'].includes(e.provenance.terms));
      assert.ok(e.provenance.weightsTrainingData.length > 0);
    }
    for (const e of r.body.engines)
      assert.ok(['permitted', 'research-only', 'unknown'].includes(e.provenance.terms), `${e.id} states its terms`);
    assert.equal(byId.get(OLD).platformDefault, true);
    assert.equal(byId.get('geometry').served, false);
    assert.deepEqual(r.body.activeEngine, { id: OLD, version: oldEngine.version, source: 'platform' });
    assert.equal((await inject('GET', '/v1/engines')).status, 401, 'authenticated callers only');
  });

  await t.test('before the switch, everyone is on the active engine', async () => {
    const p = await progress();
    assert.deepEqual([p.activeEngine.id, p.subjectsTotal, p.migrated, p.percent], [OLD, 3, 3, 100]);
  });

  await t.test('the tenant admin switches engines; an unknown engine is refused; the choice is audited', async () => {
    const unknown = await inject('PUT', `/v1/tenants/${tenant.id}/engine`, admin, { engine: 'no-such-engine' });
    assert.deepEqual([unknown.status, unknown.body.code], [400, 'unknown_engine']);
    const other = (await inject('POST', '/v1/tenants', operator, { name: 'other shop' })).body;
    assert.equal((await inject('PUT', `/v1/tenants/${other.id}/engine`, admin, { engine: NEW })).status, 404, "not another tenant's");
    const r = await inject('PUT', `/v1/tenants/${tenant.id}/engine`, admin, { engine: NEW });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body.activeEngine, { id: NEW, version: newEngine.version, source: 'tenant' });
    const audited = await auditOf('engine.selected');
    assert.equal(audited.length, 1);
    assert.deepEqual(audited[0]!.data, { from: `${OLD}@${oldEngine.version}`, to: `${NEW}@${newEngine.version}`, source: 'tenant' });
    const p = await progress();
    assert.deepEqual([p.activeEngine.id, p.subjectsTotal, p.migrated, p.percent], [NEW, 3, 0, 0]);
  });

  await t.test('a device template of the old engine is refused with engine_outdated, naming the active engine', async () => {
    const old = await faces.process(deepface('img2.jpg'), { engines: [OLD], multipleFaces: 'largest' });
    const r = await checkout({ template: b64(old.selected.templates[0]!.template) });
    assert.equal(r.status, 409, JSON.stringify(r.body));
    assert.equal(r.body.code, 'engine_outdated');
    assert.deepEqual([r.body.activeEngineId, r.body.activeEngineVersion], [NEW, newEngine.version]);
  });

  await t.test('a customer not yet migrated pays through the old engine, and is migrated by it', async () => {
    const r = await checkout({ image: b64(deepface('img2.jpg')) });
    assert.equal(r.body.outcome, 'approved', JSON.stringify(r.body));
    assert.equal(r.body.subjectId, alice);
    assert.equal(r.body.evidence.engine.id, OLD, 'decided by the old engine');
    assert.ok(r.body.evidence.score >= r.body.evidence.threshold);
    // One template per subject, each searched once: nobody is counted twice.
    assert.equal(r.body.evidence.risk.templatesSearched, 3);
    const p = await progress();
    assert.deepEqual([p.migrated, p.subjectsTotal, p.percent], [1, 3, 33.3]);
    const migratedEvents = await auditOf('template.migrated');
    assert.equal(migratedEvents.length, 1);
    assert.equal(migratedEvents[0]!.data.subjectId, alice);

    const again = await checkout({ image: b64(deepface('img4.jpg')) });
    assert.equal(again.body.outcome, 'approved', JSON.stringify(again.body));
    assert.deepEqual([again.body.subjectId, again.body.evidence.engine.id], [alice, NEW], 'now matched by the new engine');
    assert.equal(again.body.evidence.risk.templatesSearched, 3, "alice's new template and the others' old ones");
  });

  await t.test('a successful 1:1 verification migrates too', async () => {
    const r = await inject('POST', '/v1/verify', admin, { subjectId: dave, image: b64(deepface('img17.jpg')) });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual([r.body.match, r.body.engine.id], [true, OLD]);
    assert.equal((await progress()).migrated, 2);
  });

  await t.test('the last customer pays and the tenant reaches 100 %', async () => {
    const r = await checkout({ image: b64(deepface('img21.jpg')) });
    assert.equal(r.body.outcome, 'approved', JSON.stringify(r.body));
    assert.deepEqual([r.body.subjectId, r.body.evidence.engine.id], [carol, OLD]);
    const p = await progress();
    assert.deepEqual([p.migrated, p.subjectsTotal, p.percent], [3, 3, 100]);
    const perEngine = Object.fromEntries(p.byEngine.map((e: { engine: { id: string }; subjects: number }) => [e.engine.id, e.subjects]));
    assert.deepEqual(perEngine, { [OLD]: 3, [NEW]: 3 });
  });

  await t.test('after migration, search uses the new engine only', async () => {
    assert.deepEqual(
      (await platform.biometrics.enginesFor(tenant.id)).map((e) => e.id),
      [NEW],
      'no old-engine template is computed any more',
    );
    const r = await checkout({ image: b64(deepface('img5.jpg')) });
    assert.equal(r.body.outcome, 'approved', JSON.stringify(r.body));
    assert.deepEqual([r.body.subjectId, r.body.evidence.engine.id], [alice, NEW]);
    assert.equal(r.body.evidence.risk.templatesSearched, 3, "only the new engine's templates");
    const found = await inject('POST', '/v1/identify', admin, { image: b64(deepface('img17.jpg')) });
    assert.deepEqual(
      found.body.candidates.map((c: { subjectId: string }) => c.subjectId),
      [dave],
    );
    assert.equal(found.body.engine.id, NEW);
    const stranger = await checkout({ image: b64(deepface('img22.jpg')) });
    assert.equal(stranger.body.outcome, 'declined', JSON.stringify(stranger.body));
    assert.equal(stranger.body.evidence.engine.id, NEW);
  });

  await t.test('retained enrollment photos are re-embedded in the background; subjects without one wait for their next use', async () => {
    const shop = (await inject('POST', '/v1/tenants', operator, { name: 'archive shop' })).body;
    const shopAdmin = (await inject('POST', `/v1/tenants/${shop.id}/api-keys`, operator, { scopes: ['admin'] })).body.token as string;
    const subjectUnder = async (ref: string, sample: Record<string, string>) => {
      const subject = await consentedSubject(shopAdmin, ref, 'k');
      const enrolled = await inject('POST', `/v1/subjects/${subject.id}/templates`, shopAdmin, sample);
      assert.equal(enrolled.status, 201, JSON.stringify(enrolled.body));
      return subject.id as string;
    };
    const erin = await subjectUnder('erin', { image: b64(deepface('img22.jpg')) });
    // A device template carries no photo: nothing to re-embed.
    const deviceTemplate = (await faces.process(deepface('img20.jpg'), { engines: [OLD], multipleFaces: 'largest' })).selected
      .templates[0]!;
    await subjectUnder('grace', { template: b64(deviceTemplate.template) });

    const switched = await inject('PUT', `/v1/tenants/${shop.id}/engine`, operator, { engine: NEW });
    assert.equal(switched.status, 200, 'an operator may choose for any tenant');
    const outcome = await platform.biometrics.reembedRetained(shop.id);
    assert.deepEqual(outcome, { migrated: 1, withoutImage: 1, refused: 0 });
    const p = (await inject('GET', '/v1/engine-migration', shopAdmin)).body;
    assert.deepEqual([p.subjectsTotal, p.migrated, p.percent], [2, 1, 50]);
    const migrated = (await auditOf('template.migrated')).length;
    assert.equal(migrated, 3, "the first tenant is untouched by the second one's job");

    // Erin's other photo is now found by the new engine without her ever coming back.
    const found = await inject('POST', '/v1/identify', shopAdmin, { image: b64(deepface('img23.jpg')) });
    assert.deepEqual(
      found.body.candidates.map((c: { subjectId: string }) => c.subjectId),
      [erin],
    );
    assert.equal(found.body.engine.id, NEW);
    assert.deepEqual(await platform.biometrics.reembedRetained(shop.id), { migrated: 0, withoutImage: 1, refused: 0 }, 'idempotent');
  });
});
