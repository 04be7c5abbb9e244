import assert from 'node:assert/strict';
import { it } from 'node:test';
import { createEngine, DEFAULT_ENGINE_ID } from '../engines/engine-registry.js';
import { createTemplate } from '../templates/template.js';
import { randomVector, seededRandom } from '../runtime/seeded-random.js';
import { batchConsistency } from './enrollment-integrity.js';

const engine = createEngine(DEFAULT_ENGINE_ID);
const random = seededRandom(5);
const THRESHOLD = 0.95;

/** A unit vector near `v` (cosine well above THRESHOLD): another photo of the same person. */
function near(v: Float32Array): Float32Array {
  const noisy = v.map((x) => x + (random() - 0.5) * 0.02);
  const norm = Math.hypot(...noisy);
  return noisy.map((x) => x / norm);
}

const person = randomVector(engine.dimension, random);
const stranger = randomVector(engine.dimension, random);
const t = (v: Float32Array) => createTemplate(engine, v);

it('refuses the odd one out of a batch and keeps the rest', () => {
  const batch = [near(person), near(person), near(stranger), near(person), near(person)].map(t);
  const result = batchConsistency(batch, THRESHOLD);
  assert.deepEqual(result.inconsistent, [2]);
  assert.notEqual(result.medoid, 2);
  assert.ok(result.scores[2]! < THRESHOLD);
});

it('refuses both samples of a two-person batch rather than picking one at random', () => {
  assert.deepEqual(batchConsistency([t(near(person)), t(near(stranger))], THRESHOLD).inconsistent, [0, 1]);
});

it('a single sample, or one person throughout, is consistent', () => {
  assert.deepEqual(batchConsistency([t(person)], THRESHOLD).inconsistent, []);
  assert.deepEqual(batchConsistency([near(person), near(person), near(person)].map(t), THRESHOLD).inconsistent, []);
  assert.equal(batchConsistency([], THRESHOLD).medoid, null);
});
