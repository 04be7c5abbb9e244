/**
 * A checkout kiosk streams its burst to the liveness session while the shopper performs, then pays
 * naming the frames: over HTTP, with the synthetic faces whose bursts the real burst liveness and
 * challenge evaluation judge (test/kit/synthetic-burst-faces.ts).
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { createEngine, DEFAULT_ENGINE_ID } from '../../src/engines/engine-registry.js';
import { createTemplate } from '../../src/templates/template.js';
import { encodeTemplate } from '../../src/templates/template-codec.js';
import { randomVector, seededRandom } from '../../src/runtime/seeded-random.js';
import { jsonInject, registerTerminal, signedInject, startTestApp, tenantWithAdmin, type TestTerminal } from '../kit/test-app.js';
import { flatAndMirrored, performing, syntheticBurstFaces } from '../kit/synthetic-burst-faces.js';
import type { BurstOptions } from '../../src/pipeline/face-pipeline.js';

const engine = createEngine(DEFAULT_ENGINE_ID);
const face = randomVector(engine.dimension, seededRandom(13));
const templateOf = (vector: Float32Array) => encodeTemplate(createTemplate(engine, vector));
const base64 = (frames: readonly Uint8Array[]) => frames.map((frame) => Buffer.from(frame).toString('base64'));

test('streamed liveness frames: signed, in order, bound to the session, judged as a burst sent whole', async (t) => {
  // What each judgement of streamed frames was handed: the checkout's, after the stream's.
  const judgements: Array<BurstOptions | undefined> = [];
  const faces = syntheticBurstFaces(templateOf(face.map((x) => x + 0.001)), { analysedBurst: (options) => judgements.push(options) });
  const { app, platform, operatorKey } = await startTestApp(t, 'session-frames', { faces });
  const inject = jsonInject(app);
  const signed = signedInject(inject);
  const { tenant, admin } = await tenantWithAdmin(inject, await operatorKey());
  const consent = await platform.consent.grant(tenant.id, 'test', { textVersion: 'eu-2026-11', purposes: ['payment'], jurisdiction: 'EU', deviceId: 'k' });
  const subjectId = (await platform.consent.createSubject(tenant.id, 'test', { externalRef: 'dana', consentId: consent.id })).id;
  await platform.biometrics.enroll(tenant.id, subjectId, { template: templateOf(face) });
  await platform.wallet.linkToken(tenant.id, 'test', subjectId, 'tok_dana_0123456789abcdef');

  const till = await registerTerminal(inject, admin, 'checkout');
  const order = { amount: 500, currency: 'EUR', merchantRef: 'r' };
  const session = async (terminal: TestTerminal = till) => (await signed(terminal, 'POST', '/v1/liveness-sessions', {})).body;
  const stream = (terminal: TestTerminal, sessionId: string, offset: number, frames: readonly Uint8Array[]) =>
    signed(terminal, 'POST', `/v1/liveness-sessions/${sessionId}/frames`, { offset, frames: base64(frames) });
  const pay = (sessionId: string, sessionFrames: number[], terminal: TestTerminal = till) =>
    signed(terminal, 'POST', '/v1/checkout', { ...order, livenessSessionId: sessionId, sessionFrames });
  const indices = (n: number) => Array.from({ length: n }, (_, i) => i);

  await t.test("a checkout's session asks one action; its frames stream in order and the checkout names them", async () => {
    const s = await session();
    assert.deepEqual([s.purpose, s.challenge.length], ['checkout', 1]);
    const frames = performing(s.challenge);
    const first = await stream(till, s.sessionId, 0, frames.slice(0, 2));
    assert.deepEqual([first.status, first.body], [200, { received: 2 }]);
    const wrongIndex = await stream(till, s.sessionId, 1, frames.slice(2));
    assert.deepEqual([wrongIndex.status, wrongIndex.body.code], [409, 'conflict']);
    assert.deepEqual((await stream(till, s.sessionId, 2, frames.slice(2))).body, { received: frames.length });
    const paid = await pay(s.sessionId, indices(frames.length));
    assert.equal(paid.status, 200, JSON.stringify(paid.body));
    assert.equal(paid.body.outcome, 'approved', JSON.stringify(paid.body));
    assert.deepEqual([paid.body.evidence.liveness.method, paid.body.evidence.liveness.challenge.sessionId], ['burst', s.sessionId]);
    assert.equal(paid.body.evidence.liveness.challenge.met, true);
    assert.equal(typeof paid.body.assertion.jws, 'string');

    // Spent: neither more frames nor a second checkout.
    const late = await stream(till, s.sessionId, frames.length, frames.slice(0, 1));
    assert.deepEqual([late.status, late.body.code, late.body.reason ?? late.body.details?.reason], [409, 'liveness_session_refused', 'liveness_session_used']);
    assert.deepEqual((await pay(s.sessionId, indices(frames.length))).body.reasons, ['liveness_session_used']);
  });

  await t.test('a kiosk that asks is told, frame by frame, how its frames answer the challenge, and pays naming the frames the server picked', async () => {
    const s = await session();
    const frames = performing(s.challenge);
    const told = [];
    for (const [i, frame] of frames.entries()) {
      const answer = await signed(till, 'POST', `/v1/liveness-sessions/${s.sessionId}/frames`, { offset: i, frames: base64([frame]), track: true });
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      told.push(answer.body);
    }
    assert.deepEqual(told[0].progress, { steps: [{ action: s.challenge[0], met: false }], burst: [0], live: false });
    const last = told.at(-1).progress;
    assert.deepEqual([last.steps[0].met, last.live], [true, true], JSON.stringify(told));
    const judgedBefore = judgements.length;
    const paid = await pay(s.sessionId, last.burst);
    assert.equal(paid.body.outcome, 'approved', JSON.stringify(paid.body));
    assert.equal(paid.body.evidence.liveness.challenge.met, true);
    // The checkout judged the named frames on the tracks the stream's judgement followed through them.
    const checkout = judgements.slice(judgedBefore);
    assert.equal(checkout.length, 1);
    assert.equal(checkout[0]?.tracks?.points.length, last.burst.length, 'handed the stream judgement\'s tracks');
  });

  await t.test("another terminal's session is unknown to it; an enrollment kiosk streams nothing", async () => {
    const s = await session();
    const other = await registerTerminal(inject, admin, 'checkout');
    const theirs = await stream(other, s.sessionId, 0, performing(s.challenge));
    assert.deepEqual([theirs.status, theirs.body.code], [409, 'liveness_session_refused']);
    assert.match(JSON.stringify(theirs.body), /liveness_session_unknown/);
    const kiosk = await registerTerminal(inject, admin, 'enrollment_kiosk');
    assert.equal((await stream(kiosk, s.sessionId, 0, performing(s.challenge))).body.code, 'forbidden');
    const unsigned = await inject('POST', `/v1/liveness-sessions/${s.sessionId}/frames`, admin, { offset: 0, frames: base64(performing(s.challenge)) });
    assert.equal(unsigned.body.code, 'signature_missing');
    // Its frames streamed by the right terminal, the other still cannot pay with them.
    await stream(till, s.sessionId, 0, performing(s.challenge));
    assert.deepEqual((await pay(s.sessionId, [0, 1, 2], other)).body.reasons, ['liveness_session_unknown']);
  });

  await t.test('a duplicated frame or a flat picture and its mirror are refused through the stream as when sent whole', async () => {
    const duplicated = await session();
    const frames = performing(duplicated.challenge);
    await stream(till, duplicated.sessionId, 0, [...frames, frames[1]!]);
    const refused = await pay(duplicated.sessionId, indices(frames.length + 1));
    assert.deepEqual([refused.body.outcome, refused.body.reasons], ['declined', ['spoof_suspected']]);
    assert.ok(refused.body.evidence.liveness.reasons.includes('duplicate_frames'), JSON.stringify(refused.body.evidence.liveness));

    const mirrored = await session();
    await stream(till, mirrored.sessionId, 0, flatAndMirrored());
    const flat = await pay(mirrored.sessionId, indices(4));
    assert.equal(flat.body.outcome, 'declined');
    const whole = await signed(till, 'POST', '/v1/checkout', { ...order, livenessSessionId: (await session()).sessionId, frames: base64(flatAndMirrored()) });
    assert.deepEqual(flat.body.reasons, whole.body.reasons, 'the same decision as the burst sent whole');
    assert.deepEqual(flat.body.evidence.liveness.reasons, whole.body.evidence.liveness.reasons);
    // The synthetic face is symmetric, so its mirror reads as a pose that swings without parallax: refused as a flat picture.
    assert.deepEqual([flat.body.evidence.liveness.passed, flat.body.reasons], [false, ['spoof_suspected']], JSON.stringify(flat.body.evidence.liveness));
  });

  await t.test('bad indices are refused without spending the session; a session nothing was streamed to says so', async () => {
    const s = await session();
    const frames = performing(s.challenge);
    await stream(till, s.sessionId, 0, frames);
    const beyond = await pay(s.sessionId, [0, 1, frames.length]);
    assert.deepEqual([beyond.status, beyond.body.code], [400, 'invalid_argument']);
    assert.equal((await pay(s.sessionId, indices(frames.length))).body.outcome, 'approved', 'the session was not spent by the refusal');

    const empty = await session();
    const nothing = await pay(empty.sessionId, [0, 1, 2]);
    assert.deepEqual([nothing.status, nothing.body.code], [409, 'liveness_session_refused']);
    const noSession = await signed(till, 'POST', '/v1/checkout', { ...order, sessionFrames: [0, 1, 2] });
    assert.deepEqual([noSession.status, noSession.body.code], [400, 'invalid_argument']);
    const both = await signed(till, 'POST', '/v1/checkout', { ...order, livenessSessionId: empty.sessionId, sessionFrames: [0, 1, 2], frames: base64(frames) });
    assert.deepEqual([both.status, both.body.code], [400, 'invalid_argument']);
  });
});
