import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, it } from 'node:test';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { ExactIndex } from '../matcher/index/exact-index.js';
import type { GalleryIndex } from '../matcher/index/gallery-index.js';
import { Calibration } from '../matcher/calibration/calibration-table.js';
import { createEngine, DEFAULT_ENGINE_ID } from '../engines/engine-registry.js';
import { createTemplate } from '../templates/template.js';
import { encodeTemplate } from '../templates/template-codec.js';
import { randomVector, seededRandom } from '../runtime/seeded-random.js';
import { noFaceService } from '../../test/kit/no-face-service.js';
import { GalleryRegistry } from './gallery-registry.js';
import { BiometricService } from './biometric-service.js';

/** An index that answers like an int8 HNSW graph would: the right subjects, scores a little off. */
function skewedIndex(dimension: number, skew: number): GalleryIndex {
  const exact = new ExactIndex({ dimension });
  return new Proxy(exact, {
    get(target, property, receiver) {
      if (property === 'search')
        return (query: Float32Array, k: number) => target.search(query, k).map((hit) => ({ ...hit, score: hit.score + skew }));
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

const engine = createEngine(DEFAULT_ENGINE_ID);
const random = seededRandom(21);
const face = randomVector(engine.dimension, random);
let dir: string;
let store: SqliteStore;
let tenantId: string;
let subjectId: string;

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'facekey-biometric-'));
  store = await SqliteStore.open({ path: path.join(dir, 'f.sqlite'), masterKey: randomBytes(32) });
  tenantId = (await store.createTenant({ name: 't' })).id;
  subjectId = (await store.createSubject({ tenantId, externalRef: 'p', consentId: 'c' })).id;
});
after(async () => {
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function serviceWith(skew: number): Promise<BiometricService> {
  const galleries = new GalleryRegistry(engine, (dimension) => skewedIndex(dimension, skew));
  const service = new BiometricService(store, noFaceService, Calibration.load(), galleries, engine);
  if ((await store.listTemplates(tenantId, subjectId)).length === 0)
    await service.enroll(tenantId, subjectId, { template: encodeTemplate(createTemplate(engine, face)) });
  await galleries.rebuild(store);
  return service;
}

/** A unit vector whose cosine with `v` is exactly `cosine`. */
function atCosine(v: Float32Array, cosine: number): Float32Array {
  const norm = (x: Float32Array) => Math.hypot(...x);
  const unit = v.map((x) => x / norm(v));
  const other = randomVector(v.length, random);
  const along = other.reduce((sum, x, i) => sum + x * unit[i]!, 0);
  const orthogonal = other.map((x, i) => x - along * unit[i]!);
  const o = orthogonal.map((x) => x / norm(orthogonal));
  return unit.map((x, i) => cosine * x + Math.sqrt(1 - cosine * cosine) * o[i]!);
}

it('decides 1:N on exact scores, whatever the approximate index said', async () => {
  const { threshold } = (await serviceWith(0)).decide(0, 1e-5);
  const probe = createTemplate(engine, atCosine(face, threshold + 0.005));
  const exactScore = await (await serviceWith(0)).scoreSubject(tenantId, subjectId, probe);
  assert.ok(exactScore >= threshold && exactScore < threshold + 0.01);

  // The index underestimates by 0.02, below the threshold: the subject is re-scored and found, with its exact score.
  const low = await (await serviceWith(-0.02)).search(tenantId, probe, 1e-5);
  assert.deepEqual(
    low.candidates.map((c) => ({ subjectId: c.subjectId, score: c.score, match: c.match })),
    [{ subjectId, score: exactScore, match: true }],
  );

  // The index overestimates a stranger far above the threshold: the exact score keeps them out.
  const stranger = createTemplate(engine, atCosine(face, threshold - 0.05));
  const high = await (await serviceWith(0.2)).search(tenantId, stranger, 1e-5);
  assert.deepEqual(high.candidates, []);
});
