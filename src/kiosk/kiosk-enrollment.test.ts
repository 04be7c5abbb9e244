import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openTestPlatform, type TestPlatformOnDisk } from '../../test/kit/test-platform.js';
import { noFaceService } from '../../test/kit/no-face-service.js';
import { evidencePerforming, frameEvidenceOf } from '../../test/kit/synthetic-burst-faces.js';
import { burst } from '../../test/kit/synthetic-face-burst.js';
import { createEngine, DEFAULT_ENGINE_ID } from '../engines/engine-registry.js';
import { createTemplate } from '../templates/template.js';
import { encodeTemplate } from '../templates/template-codec.js';
import { randomVector, seededRandom } from '../runtime/seeded-random.js';
import { FacekeyError } from '../errors/domain-errors.js';
import { PRIVACY_CODE_ALPHABET } from '../consent/privacy-codes.js';
import type { KioskEnrollmentRequest } from './kiosk-enrollment.js';
import { RIGID_LANDMARKS } from '../pad/rigid-landmarks.js';

const engine = createEngine(DEFAULT_ENGINE_ID);
const random = seededRandom(13);
const templateOf = (vector: Float32Array) => encodeTemplate(createTemplate(engine, vector));
const consent = { textVersion: 'eu-2026-11', purposes: ['payment', 'personalization'] as const, jurisdiction: 'EU' };

const code = (promise: Promise<unknown>) =>
  promise.then(
    () => 'resolved',
    (error: unknown) => (error instanceof FacekeyError ? error.code : String(error)),
  );

describe('enrolling at a kiosk', () => {
  let opened: TestPlatformOnDisk;
  let now = new Date('2026-12-01T10:00:00Z');
  let tenantId: string;
  const kiosk = () => ({ id: 'kiosk-1', tenantId });
  const otherKiosk = () => ({ id: 'kiosk-2', tenantId });

  before(async () => {
    opened = await openTestPlatform('kiosk-enrollment', noFaceService, { settings: { clock: () => now } });
    tenantId = (await opened.store.createTenant({ name: 'shop' })).id;
  });
  after(() => opened.close());

  /** A session for the kiosk, and a request whose burst performs its challenge (or `actions` instead). */
  async function request(template: Uint8Array, actions?: readonly string[], terminal = kiosk()): Promise<KioskEnrollmentRequest> {
    const session = await opened.platform.livenessSessions.start(terminal);
    return {
      terminal,
      consent: { ...consent, purposes: [...consent.purposes] },
      livenessSessionId: session.sessionId,
      capture: { template, frames: evidencePerforming(actions ?? session.challenge) },
    };
  }

  async function leftBehind() {
    const subjects = await opened.store.listSubjects(tenantId, { limit: 100 });
    const rows = await opened.platform.sql.all<{ id: string; withdrawn_at: string | null }>('SELECT id, withdrawn_at FROM consents WHERE tenant_id = ?', [
      tenantId,
    ]);
    return { subjects: subjects.items.length, activeConsents: rows.filter((r) => r.withdrawn_at === null).length, consents: rows.length };
  }

  it('enrolls a live burst that performs the challenge: consent, subject, template, a privacy code of 80 bits', async () => {
    const service = opened.platform.kioskEnrollment;
    const enrolled = await service.enroll(await request(templateOf(randomVector(engine.dimension, random))));
    assert.match(enrolled.privacyCode, new RegExp(`^([${PRIVACY_CODE_ALPHABET}]{4}-){3}[${PRIVACY_CODE_ALPHABET}]{4}$`));
    assert.equal(PRIVACY_CODE_ALPHABET.length ** 16, 2 ** 80);
    assert.deepEqual([enrolled.liveness.passed, enrolled.liveness.challenge?.met], [true, true]);
    assert.deepEqual(enrolled.enrollment.engine, { id: engine.id, version: engine.version });
    assert.deepEqual(enrolled.consent.purposes, ['payment', 'personalization']);
    assert.equal(enrolled.consent.deviceId, 'kiosk-1');
    assert.ok(enrolled.consent.receipt.split('.').length === 3, 'a signed receipt');
    assert.equal((await opened.store.listTemplates(tenantId, enrolled.subjectId)).length, 1);
    const stored = await opened.platform.sql.all<{ code_hash: string }>('SELECT code_hash FROM privacy_codes');
    assert.equal(stored.length, 1);
    assert.ok(!stored[0]!.code_hash.includes(enrolled.privacyCode.replace(/-/g, '')), 'only a keyed hash is stored');
    const typed = enrolled.privacyCode.toLowerCase().replace(/-/g, ' ');
    assert.deepEqual(await opened.platform.privacyPortal.signIn(typed).then(() => 'signed in'), 'signed in', 'case and separators do not matter');
    const audited = await opened.platform.sql.all<{ type: string }>("SELECT type FROM audit_entries WHERE type = 'kiosk.enrolled'");
    assert.equal(audited.length, 1);
  });

  it('refuses a still burst and a mirrored one, and a burst that performs another challenge, leaving nothing behind', async () => {
    const service = opened.platform.kioskEnrollment;
    const before = await leftBehind();
    const still = await request(templateOf(randomVector(engine.dimension, random)));
    const frame = evidencePerforming([])[0]!;
    const stillFrames = { ...still, capture: { ...still.capture, frames: [frame, frame, frame, frame] } } as KioskEnrollmentRequest;
    assert.equal(await code(service.enroll(stillFrames)), 'spoof_suspected');

    // One flat picture and its mirror image, swapped back and forth: the pose swings but nothing is a head.
    const mirrored = await request(templateOf(randomVector(engine.dimension, random)));
    const flat = burst([{ yawDeg: 0 }, { yawDeg: 0 }, { yawDeg: 0 }]).map(frameEvidenceOf);
    const mirror = (f: (typeof flat)[number]) => ({ ...f, mesh: f.mesh.map(([x, y]) => [640 - x, y] as [number, number]), pose: { ...f.pose, yaw: 15 } });
    const mirroredFrames = { ...mirrored, capture: { ...mirrored.capture, frames: [flat[0]!, mirror(flat[1]!), flat[2]!, mirror(flat[0]!)] } } as KioskEnrollmentRequest;
    assert.equal(await code(service.enroll(mirroredFrames)), 'spoof_suspected');

    const session = await opened.platform.livenessSessions.start(kiosk());
    const wrong = session.challenge.includes('blink') ? ['turn_right', 'turn_right'] : ['blink', 'blink'];
    const replay = await request(templateOf(randomVector(engine.dimension, random)), wrong);
    assert.equal(await code(service.enroll(replay)), 'spoof_suspected');
    assert.deepEqual(await leftBehind(), before, 'no consent, no subject');
    assert.equal(await code(service.enroll(replay)), 'liveness_session_refused', 'the session was spent by the refusal');
  });

  it("refuses another engine's template before the session is spent", async () => {
    const service = opened.platform.kioskEnrollment;
    const other = createEngine('dlib-resnet' === engine.id ? 'faceplugin-arcface' : 'dlib-resnet');
    const wrong = await request(encodeTemplate(createTemplate(other, randomVector(other.dimension, random))));
    assert.equal(await code(service.enroll(wrong)), 'engine_outdated');
    const garbage = { ...wrong, capture: { template: new Uint8Array([1, 2, 3]), frames: (wrong.capture as unknown as { frames: never[] }).frames } };
    assert.equal(await code(service.enroll(garbage)), 'invalid_template');
    const right = { ...wrong, capture: { ...(wrong.capture as object), template: templateOf(randomVector(engine.dimension, random)) } } as KioskEnrollmentRequest;
    assert.equal(await code(service.enroll(right)), 'resolved', 'the same session still answers');
  });

  it("judges the kiosk's own tracks of its frames, and refuses malformed tracks before the session is spent", async () => {
    const service = opened.platform.kioskEnrollment;
    const sent = await request(templateOf(randomVector(engine.dimension, random)));
    const frames = (sent.capture as { frames: ReadonlyArray<{ mesh: ReadonlyArray<readonly [number, number]> }> }).frames;
    const withTracks = (tracks: unknown) => ({ ...sent, capture: { ...(sent.capture as object), tracks } }) as KioskEnrollmentRequest;
    const short = { points: frames.map((f) => RIGID_LANDMARKS.slice(1).map((i) => f.mesh[i]!)), eyeChange: frames.map(() => 0) };
    assert.equal(await code(service.enroll(withTracks(short))), 'invalid_argument', 'a landmark missing');
    assert.equal(await code(service.enroll(withTracks({ ...short, points: short.points.slice(1) }))), 'invalid_argument', 'a frame missing');
    // The synthetic head's landmarks are its surface: followed exactly, they are where each frame's mesh puts them.
    const exact = { points: frames.map((f) => RIGID_LANDMARKS.map((i) => f.mesh[i]!)), eyeChange: frames.map(() => 0) };
    assert.equal(await code(service.enroll(withTracks(exact))), 'resolved', 'the same session still answers');
  });

  it('refuses the same face twice (duplicate_identity) and erases the consent and subject it had made', async () => {
    const service = opened.platform.kioskEnrollment;
    const face = templateOf(randomVector(engine.dimension, random));
    await service.enroll(await request(face));
    const before = await leftBehind();
    assert.equal(await code(service.enroll(await request(face))), 'duplicate_identity');
    const after = await leftBehind();
    assert.deepEqual([after.subjects, after.activeConsents], [before.subjects, before.activeConsents]);
  });

  it('lets only the enrolling kiosk link a card and set a PIN, within 15 minutes', async () => {
    const service = opened.platform.kioskEnrollment;
    const { subjectId } = await service.enroll(await request(templateOf(randomVector(engine.dimension, random))));
    const tokenRef = 'tok_' + 'a'.repeat(20);
    assert.equal(await code(service.linkToken(otherKiosk(), subjectId, tokenRef)), 'forbidden');
    assert.equal(await code(service.linkToken(kiosk(), 'nobody', tokenRef)), 'not_found');
    await service.linkToken(kiosk(), subjectId, tokenRef);
    await service.setPin(kiosk(), subjectId, '4321');
    const exported = await opened.platform.consent.exportData(tenantId, subjectId);
    assert.deepEqual([(exported.paymentTokens as unknown[]).length, exported.secondFactors], [1, ['pin']]);
    now = new Date(now.getTime() + 16 * 60_000);
    assert.equal(await code(service.setPin(kiosk(), subjectId, '1111')), 'forbidden', 'too late');
  });
});
