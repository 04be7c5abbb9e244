import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { composeTestPlatform } from '../../test/kit/test-platform.js';
import type { Platform } from '../server/compose-platform.js';
import { createEngine, DEFAULT_ENGINE_ID } from '../engines/engine-registry.js';
import { createTemplate } from '../templates/template.js';
import { encodeTemplate } from '../templates/template-codec.js';
import { randomVector, seededRandom } from '../runtime/seeded-random.js';
import type { FaceService } from '../pipeline/face-service.js';
import type { BurstOptions, BurstResult } from '../pipeline/face-pipeline.js';
import type { LivenessVerdict } from '../pad/burst-liveness.js';
import { evaluateChallenge } from '../pad/challenge-evaluation.js';
import { InvalidArgument } from '../errors/domain-errors.js';
import { analysesOf, performing, syntheticBurstFaces } from '../../test/kit/synthetic-burst-faces.js';

const engine = createEngine(DEFAULT_ENGINE_ID);
const random = seededRandom(11);
const face = randomVector(engine.dimension, random);
const templateOf = (vector: Float32Array) => encodeTemplate(createTemplate(engine, vector));

/** A face service that answers bursts from a script and counts its trips. */
function scriptedFaces(live: boolean) {
  const trips: Array<{ op: string; options?: BurstOptions }> = [];
  const liveness = { live, reasons: live ? [] : ['no_challenge'], evidence: {} } as unknown as LivenessVerdict;
  const faces: FaceService = {
    detect: () => Promise.reject(new Error('not used')),
    process: async () => {
      trips.push({ op: 'process' });
      throw new Error('a burst must not be processed a second time');
    },
    assessBurst: async (frames, options) => {
      trips.push({ op: 'burst', ...(options ? { options } : {}) });
      const result: BurstResult = {
        frames: frames.length,
        liveness,
        ...(live
          ? {
              best: {
                frameIndex: 2,
                face: { box: { x: 0, y: 0, width: 1, height: 1 }, detectionScore: 1, pose: { yaw: 0, pitch: 0, roll: 0 }, landmarks: 468 },
                quality: { score: 0.9, acceptable: true, reasons: [] },
                presentation: { passed: true, reasons: [], scores: {} },
                templates: [{ engine: engine.id, engineVersion: engine.version, template: templateOf(face.map((x) => x + 0.001)) }],
              } as unknown as NonNullable<BurstResult['best']>,
            }
          : {}),
      };
      return result;
    },
    analyzeFrame: () => Promise.reject(new Error('not used: these bursts are sent whole')),
    assessAnalysedBurst: () => Promise.reject(new Error('not used: these bursts are sent whole')),
    isReady: () => true,
    close: async () => {},
  };
  return { faces, trips };
}

describe('checkout with a burst', () => {
  let dir: string;
  let store: SqliteStore;
  let tenantId: string;
  let subjectId: string;
  const masterKey = randomBytes(32);
  const platforms: Platform[] = [];

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'facekey-burst-'));
    store = await SqliteStore.open({ path: path.join(dir, 'facekey.sqlite'), masterKey });
    tenantId = (await store.createTenant({ name: 'shop' })).id;
  });
  after(async () => {
    for (const platform of platforms) await platform.sql.close();
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function platformWith(faces: FaceService): Promise<Platform> {
    const platform = await composeTestPlatform(store, faces, masterKey);
    platforms.push(platform);
    if (!subjectId) {
      const consent = await platform.consent.grant(tenantId, 'test', {
        textVersion: 'eu-2026-11',
        purposes: ['payment'],
        jurisdiction: 'EU',
        deviceId: 'k',
      });
      subjectId = (await platform.consent.createSubject(tenantId, 'test', { externalRef: 'dana', consentId: consent.id })).id;
      await platform.biometrics.enroll(tenantId, subjectId, { template: templateOf(face) });
      await platform.wallet.linkToken(tenantId, 'test', subjectId, 'tok_dana_0123456789abcdef');
    } else {
      await platform.galleries.rebuild(store); // as a restarted service loads its gallery
    }
    return platform;
  }

  const frames = Array.from({ length: 5 }, () => new Uint8Array([1, 2, 3]));
  const pay = (platform: Platform) =>
    platform.checkout.checkout({
      tenantId,
      terminalId: 'till-9',
      nonce: 'n-1',
      amount: 500,
      currency: 'EUR',
      merchantRef: 'r',
      probe: { frames },
    });

  it('analyses a live burst in one trip to the face service and pays with its best frame (tenant allows sessionless bursts)', async () => {
    const { faces, trips } = scriptedFaces(true);
    const platform = await platformWith(faces);
    await platform.riskPolicies.set(tenantId, { allowSessionlessLiveness: true }, 'key:admin');
    const result = await pay(platform);
    await platform.riskPolicies.set(tenantId, {}, 'key:admin');
    assert.deepEqual(trips, [{ op: 'burst', options: { engines: [engine.id] } }]);
    assert.equal(result.outcome, 'approved', JSON.stringify(result.reasons));
    assert.equal(result.subjectId, subjectId);
    assert.equal(result.evidence?.liveness.method, 'burst');
    assert.equal(result.evidence?.capture?.quality?.score, 0.9, 'the best frame’s quality is the evidence');
  });

  it('declines a burst that is not live, in the same single trip', async () => {
    const { faces, trips } = scriptedFaces(false);
    const result = await pay(await platformWith(faces));
    assert.deepEqual(
      trips.map((t) => t.op),
      ['burst'],
    );
    assert.deepEqual([result.outcome, result.reasons], ['declined', ['spoof_suspected']]);
  });

  it('by default, a live burst without a liveness session is not enough on its own: a second factor is asked', async () => {
    const { faces } = scriptedFaces(true);
    const result = await pay(await platformWith(faces));
    assert.equal(result.outcome, 'second_factor_required');
    assert.deepEqual(result.reasons, ['second_factor_required', 'liveness_session_required']);
    assert.equal(result.assertion, undefined);
  });
});

describe('checkout with a liveness session (challenge-response)', () => {
  let dir: string;
  let store: SqliteStore;
  let platform: Platform;
  let tenantId: string;
  let now = new Date('2026-11-29T12:00:00Z');
  const till = (id = 'till-1') => ({ id, tenantId });

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'facekey-session-'));
    const masterKey = randomBytes(32);
    store = await SqliteStore.open({ path: path.join(dir, 'facekey.sqlite'), masterKey });
    tenantId = (await store.createTenant({ name: 'shop' })).id;
    platform = await composeTestPlatform(store, syntheticBurstFaces(templateOf(face.map((x) => x + 0.001))), masterKey, {
      settings: { clock: () => now },
    });
    const consent = await platform.consent.grant(tenantId, 'test', {
      textVersion: 'eu-2026-11',
      purposes: ['payment'],
      jurisdiction: 'EU',
      deviceId: 'k',
    });
    const subjectId = (await platform.consent.createSubject(tenantId, 'test', { externalRef: 'dana', consentId: consent.id })).id;
    await platform.biometrics.enroll(tenantId, subjectId, { template: templateOf(face) });
    await platform.wallet.linkToken(tenantId, 'test', subjectId, 'tok_dana_0123456789abcdef');
  });
  after(async () => {
    await platform.sql.close();
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  let nonce = 0;
  const pay = (frames: Uint8Array[], livenessSessionId: string | undefined, terminalId = 'till-1') =>
    platform.checkout.checkout({
      tenantId,
      terminalId,
      nonce: `n-${++nonce}`,
      amount: 500,
      currency: 'EUR',
      merchantRef: 'r',
      probe: { frames },
      ...(livenessSessionId ? { livenessSessionId } : {}),
    });

  it('a burst that performs its session’s challenge in order pays on the face alone, with the steps as evidence', async () => {
    const session = await platform.livenessSessions.start(till());
    const result = await pay(performing(session.challenge), session.sessionId);
    assert.equal(result.outcome, 'approved', JSON.stringify(result));
    const challenge = result.evidence?.liveness.challenge;
    assert.equal(challenge?.sessionId, session.sessionId);
    assert.equal(challenge?.met, true);
    assert.deepEqual(
      challenge?.steps.map((s) => s.action),
      [...session.challenge],
    );
    const audited = (await platform.audit.entries({ limit: 1000 })).filter((e) => e.type === 'checkout').at(-1)!;
    assert.deepEqual((audited.data as { liveness: { challenge?: unknown } }).liveness.challenge, {
      sessionId: session.sessionId,
      met: true,
    });
  });

  it('a session is single use: the same burst again is refused as used', async () => {
    const session = await platform.livenessSessions.start(till());
    const frames = performing(session.challenge);
    assert.equal((await pay(frames, session.sessionId)).outcome, 'approved');
    assert.deepEqual((await pay(frames, session.sessionId)).reasons, ['liveness_session_used']);
  });

  it('a burst recorded for one session fails in another whose challenge it does not perform', async () => {
    const first = await platform.livenessSessions.start(till());
    const recorded = performing(first.challenge);
    let other = await platform.livenessSessions.start(till());
    while (evaluateChallenge(analysesOf(recorded), other.challenge).met) other = await platform.livenessSessions.start(till());
    const result = await pay(recorded, other.sessionId);
    assert.deepEqual([result.outcome, result.reasons], ['declined', ['challenge_not_met']]);
    assert.equal(result.evidence?.liveness.challenge?.met, false);
    assert.equal(result.evidence?.liveness.passed, false);
  });

  it('the actions in the wrong order do not answer the challenge', async () => {
    const session = await platform.livenessSessions.start(till());
    const result = await pay(performing([...session.challenge].reverse()), session.sessionId);
    assert.deepEqual(result.reasons, ['challenge_not_met']);
  });

  it('an expired session, or another terminal’s, is refused with its own reason', async () => {
    const late = await platform.livenessSessions.start(till());
    now = new Date(now.getTime() + 121_000);
    assert.deepEqual((await pay(performing(late.challenge), late.sessionId)).reasons, ['liveness_session_expired']);
    const theirs = await platform.livenessSessions.start(till('till-2'));
    assert.deepEqual((await pay(performing(theirs.challenge), theirs.sessionId)).reasons, ['liveness_session_unknown']);
    assert.equal((await pay(performing(theirs.challenge), theirs.sessionId, 'till-2')).outcome, 'approved');
  });

  it('a session is answered with a burst only', async () => {
    const session = await platform.livenessSessions.start(till());
    await assert.rejects(
      platform.checkout.checkout({
        tenantId,
        terminalId: 'till-1',
        nonce: 'n-image',
        amount: 500,
        currency: 'EUR',
        merchantRef: 'r',
        probe: { image: new Uint8Array([1]) },
        livenessSessionId: session.sessionId,
      }),
      InvalidArgument,
    );
  });
});
