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

  it('analyses a live burst in one trip to the face service and pays with its best frame', async () => {
    const { faces, trips } = scriptedFaces(true);
    const result = await pay(await platformWith(faces));
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
});
