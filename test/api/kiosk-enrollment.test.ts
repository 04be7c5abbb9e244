/** The enrollment kiosk and the privacy portal over HTTP: a signed kiosk enrolls, the consumer signs in with the code and leaves. */
import test from 'node:test';
import assert from 'node:assert/strict';
import { signTerminalRequest } from '../../src/devices/terminal-client.js';
import { createEngine, DEFAULT_ENGINE_ID } from '../../src/engines/engine-registry.js';
import { createTemplate } from '../../src/templates/template.js';
import { encodeTemplate } from '../../src/templates/template-codec.js';
import { randomVector, seededRandom } from '../../src/runtime/seeded-random.js';
import { jsonInject, registerTerminal, startTestApp, tenantWithAdmin } from '../kit/test-app.js';
import { evidencePerforming } from '../kit/synthetic-burst-faces.js';
import { RIGID_LANDMARKS } from '../../src/pad/rigid-landmarks.js';

const engine = createEngine(DEFAULT_ENGINE_ID);
const random = seededRandom(21);
const template = (e = engine) => Buffer.from(encodeTemplate(createTemplate(e, randomVector(e.dimension, random)))).toString('base64');
const consent = { textVersion: 'eu-2026-11', purposes: ['payment', 'personalization'], jurisdiction: 'EU' };

test('enrollment kiosk and privacy portal over HTTP', async (t) => {
  const { app, operatorKey } = await startTestApp(t, 'kiosk-api');
  const operator = await operatorKey();
  const inject = jsonInject(app);
  const { admin } = await tenantWithAdmin(inject, operator);
  const register = (kind: string) => registerTerminal(inject, admin, kind);
  type Kiosk = Awaited<ReturnType<typeof register>>;
  const signed = (kiosk: Kiosk, method: 'POST' | 'PUT', url: string, body: unknown) => {
    const json = JSON.stringify(body);
    const signature = signTerminalRequest(
      { method, url: `http://terminal.test${url}`, headers: { 'content-type': 'application/json' }, body: json },
      { terminalId: kiosk.id, privateKey: kiosk.keys.privateKey },
    );
    return inject(method, url, undefined, json, { 'content-type': 'application/json', host: 'terminal.test', ...signature });
  };
  const enrollment = async (kiosk: Kiosk, extra: Record<string, unknown> = {}, actions?: string[]) => {
    const session = (await signed(kiosk, 'POST', '/v1/liveness-sessions', {})).body;
    return { consent, livenessSessionId: session.sessionId, template: template(), frames: evidencePerforming(actions ?? session.challenge), ...extra };
  };
  const kiosk = await register('enrollment_kiosk');
  const otherKiosk = await register('enrollment_kiosk');
  const subjectCount = async () => (await inject('GET', '/v1/subjects', admin)).body.items.length;

  let enrolled: any;
  await t.test('a signed kiosk enrolls with a template and the burst evidence: 201 with the privacy code, once', async () => {
    const r = await signed(kiosk, 'POST', '/v1/kiosk/enrollments', await enrollment(kiosk));
    assert.equal(r.status, 201, JSON.stringify(r.body));
    enrolled = r.body;
    assert.match(enrolled.privacyCode, /^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    assert.equal(enrolled.liveness.challenge.met, true);
    assert.deepEqual(enrolled.enrollment.engine, { id: engine.id, version: engine.version });
    assert.ok(enrolled.consent.receipt && enrolled.kept.length > 3 && enrolled.externalRef);
  });

  await t.test('a kiosk streams its evidence while the shopper performs and enrolls naming it; on another node it sends it whole, answering the same session', async () => {
    const session = (await signed(kiosk, 'POST', '/v1/liveness-sessions', {})).body;
    const evidence = evidencePerforming(session.challenge);
    let progress: any;
    for (const [offset, frame] of evidence.entries()) {
      const r = await signed(kiosk, 'POST', `/v1/liveness-sessions/${session.sessionId}/evidence`, { offset, frames: [frame], track: true });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.received, offset + 1);
      progress = r.body.progress;
    }
    assert.equal(progress.live, true, JSON.stringify(progress));
    const till = await register('checkout');
    const theirs = await signed(till, 'POST', `/v1/liveness-sessions/${session.sessionId}/evidence`, { offset: 0, frames: [evidence[0]] });
    assert.equal(theirs.body.code, 'forbidden', 'a till streams images, not evidence');
    const r = await signed(kiosk, 'POST', '/v1/kiosk/enrollments', { consent, livenessSessionId: session.sessionId, template: template(), sessionFrames: progress.burst });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.deepEqual([r.body.liveness.passed, r.body.liveness.challenge.met], [true, true]);

    // Nothing streamed to this node: refused without spending the session; the evidence sent whole then enrolls.
    const elsewhere = (await signed(kiosk, 'POST', '/v1/liveness-sessions', {})).body;
    const named = await signed(kiosk, 'POST', '/v1/kiosk/enrollments', { consent, livenessSessionId: elsewhere.sessionId, template: template(), sessionFrames: [0, 1, 2] });
    assert.deepEqual([named.status, named.body.code, named.body.reason], [409, 'liveness_session_refused', 'liveness_session_not_streamed']);
    const whole = await signed(kiosk, 'POST', '/v1/kiosk/enrollments', {
      consent,
      livenessSessionId: elsewhere.sessionId,
      template: template(),
      frames: evidencePerforming(elsewhere.challenge),
    });
    assert.equal(whole.status, 201, JSON.stringify(whole.body));
    const both = await signed(kiosk, 'POST', '/v1/kiosk/enrollments', { ...(await enrollment(kiosk)), sessionFrames: [0, 1, 2] });
    assert.deepEqual([both.status, both.body.code], [400, 'invalid_argument'], 'frames or sessionFrames, not both');
  });

  await t.test('template mode takes no image; a checkout till and an API key cannot enroll', async () => {
    const withImage = await signed(kiosk, 'POST', '/v1/kiosk/enrollments', await enrollment(kiosk, { images: [template(), template(), template()] }));
    assert.deepEqual([withImage.status, withImage.body.code], [400, 'invalid_argument']);
    const till = await register('checkout');
    assert.equal((await signed(till, 'POST', '/v1/kiosk/enrollments', await enrollment(kiosk))).body.code, 'forbidden');
    assert.equal((await inject('POST', '/v1/kiosk/enrollments', admin, await enrollment(kiosk))).body.code, 'signature_missing');
  });

  await t.test("the kiosk's tracks of its own frames (numbers, nulls where lost) are taken; tracks beside images are not", async () => {
    const body = await enrollment(otherKiosk);
    const frames = body.frames as unknown as Array<{ mesh: number[][] }>;
    // Every landmark where the frame's mesh puts it (the synthetic head's surface), one lost in each frame.
    const points = frames.map((f) => RIGID_LANDMARKS.map((i, j) => (j === 5 ? null : f.mesh[i])));
    const r = await signed(otherKiosk, 'POST', '/v1/kiosk/enrollments', { ...body, tracks: { points, eyeChange: frames.map(() => 0) } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const upload = { consent, livenessSessionId: body.livenessSessionId, images: [template(), template(), template()], tracks: { points, eyeChange: [0, 0, 0] } };
    assert.deepEqual((await signed(otherKiosk, 'POST', '/v1/kiosk/enrollments', upload)).body.code, 'invalid_argument');
  });

  await t.test("another engine's template is refused", async () => {
    const other = createEngine(engine.id === 'dlib-resnet' ? 'faceplugin-arcface' : 'dlib-resnet');
    const r = await signed(kiosk, 'POST', '/v1/kiosk/enrollments', await enrollment(kiosk, { template: template(other) }));
    assert.deepEqual([r.status, r.body.code, r.body.activeEngineId], [409, 'engine_outdated', engine.id]);
  });

  await t.test('a burst that is not live is refused and leaves no subject or consent', async () => {
    const before = await subjectCount();
    const frame = evidencePerforming([])[0];
    const r = await signed(kiosk, 'POST', '/v1/kiosk/enrollments', await enrollment(kiosk, { frames: [frame, frame, frame] }));
    assert.deepEqual([r.status, r.body.code], [422, 'spoof_suspected'], JSON.stringify(r.body));
    assert.equal(await subjectCount(), before);
  });

  await t.test('the enrolling kiosk links a card and sets a PIN; another kiosk may not', async () => {
    const tokenRef = 'tok_' + 'k'.repeat(24);
    const url = `/v1/kiosk/enrollments/${enrolled.subjectId}`;
    assert.equal((await signed(otherKiosk, 'POST', `${url}/tokens`, { tokenRef })).status, 403);
    assert.equal((await signed(otherKiosk, 'PUT', `${url}/pin`, { value: '1234' })).status, 403);
    assert.equal((await signed(kiosk, 'POST', '/v1/kiosk/enrollments/nobody/tokens', { tokenRef })).status, 404);
    assert.equal((await signed(kiosk, 'POST', `${url}/tokens`, { tokenRef })).status, 204);
    assert.equal((await signed(kiosk, 'PUT', `${url}/pin`, { value: '1234' })).status, 204);
  });

  await t.test('the privacy code signs in (httpOnly cookie), the export shows the subject; opt-out needs the CSRF token', async () => {
    const wrong = await inject('POST', '/v1/privacy/sessions', undefined, { code: 'AAAA-BBBB-CCCC-DDDD' });
    const malformed = await inject('POST', '/v1/privacy/sessions', undefined, { code: 'nonsense' });
    assert.deepEqual([wrong.status, malformed.status, wrong.body.detail], [401, 401, malformed.body.detail], 'one answer for every failure');

    const signIn = await app.inject({ method: 'POST', url: '/v1/privacy/sessions', payload: { code: enrolled.privacyCode } });
    assert.equal(signIn.statusCode, 201, signIn.body);
    const setCookie = String(signIn.headers['set-cookie']);
    assert.match(setCookie, /^fk_privacy=[A-Za-z0-9_-]+; Path=\/v1\/privacy; Max-Age=900; HttpOnly; SameSite=Strict$/);
    const cookie = setCookie.split(';')[0]!;
    const { csrfToken } = JSON.parse(signIn.body);

    const me = await inject('GET', '/v1/privacy/me', undefined, undefined, { cookie });
    assert.equal(me.status, 200);
    assert.equal(me.body.subject.id, enrolled.subjectId);
    assert.equal(me.body.paymentTokens.length, 1);
    assert.equal((await inject('GET', '/v1/privacy/me')).status, 401, 'no cookie, no export');
    const receipts = await inject('GET', '/v1/privacy/me/receipts', undefined, undefined, { cookie });
    assert.deepEqual(receipts.body.items.map((i: { kind: string }) => i.kind), ['consent']);

    const forged = await inject('POST', '/v1/privacy/me/opt-out', undefined, {}, { cookie });
    assert.deepEqual([forged.status, forged.body.code], [403, 'forbidden']);
    assert.equal((await inject('POST', '/v1/privacy/me/opt-out', undefined, {}, { cookie, 'x-csrf-token': 'guess' })).status, 403);

    const partial = await inject('POST', '/v1/privacy/me/opt-out', undefined, { purposes: ['personalization'] }, { cookie, 'x-csrf-token': csrfToken });
    assert.deepEqual([partial.status, partial.body.erasure, partial.body.consent.purposes], [200, null, ['payment']]);

    const out = await inject('POST', '/v1/privacy/me/opt-out', undefined, {}, { cookie, 'x-csrf-token': csrfToken });
    assert.equal(out.status, 200, JSON.stringify(out.body));
    assert.equal(out.body.erasure.templatesErased, 1);
    assert.equal(out.body.erasure.receipt.split('.').length, 3, 'the signed erasure receipt');

    assert.equal((await inject('GET', '/v1/privacy/me', undefined, undefined, { cookie })).status, 401, 'the session went with the subject');
    assert.equal((await inject('POST', '/v1/privacy/sessions', undefined, { code: enrolled.privacyCode })).status, 401, 'the code signs in nobody now');
  });

  await t.test('sign-out needs the CSRF token and clears the cookie', async () => {
    const second = (await signed(kiosk, 'POST', '/v1/kiosk/enrollments', await enrollment(kiosk))).body;
    const signIn = await app.inject({ method: 'POST', url: '/v1/privacy/sessions', payload: { code: second.privacyCode } });
    const cookie = String(signIn.headers['set-cookie']).split(';')[0]!;
    const { csrfToken } = JSON.parse(signIn.body);
    assert.equal((await app.inject({ method: 'DELETE', url: '/v1/privacy/sessions/current', headers: { cookie } })).statusCode, 403);
    const out = await app.inject({ method: 'DELETE', url: '/v1/privacy/sessions/current', headers: { cookie, 'x-csrf-token': csrfToken } });
    assert.equal(out.statusCode, 204);
    assert.match(String(out.headers['set-cookie']), /^fk_privacy=; Path=\/v1\/privacy; Max-Age=0; HttpOnly; SameSite=Strict$/);
    assert.equal((await inject('GET', '/v1/privacy/me', undefined, undefined, { cookie })).status, 401);
  });
});

test('failed privacy sign-ins are limited per address', async (t) => {
  const { app } = await startTestApp(t, 'privacy-limit', { abuseLimits: { failedAuthPerMinute: 3 } });
  const statuses: number[] = [];
  for (let i = 0; i < 5; i += 1) statuses.push((await app.inject({ method: 'POST', url: '/v1/privacy/sessions', payload: { code: 'AAAA-BBBB-CCCC-DDDD' } })).statusCode);
  assert.deepEqual(statuses, [401, 401, 401, 429, 429]);
});
