import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidArgument } from '../../errors/domain-errors.js';
import { gaussian, seededRandom } from '../../runtime/seeded-random.js';
import { l2Normalize } from '../../math/vector-math.js';
import { ExactIndex } from './exact-index.js';
import { runGalleryIndexContract } from '../../../test/kit/contracts/gallery-index-contract.js';
import type { GalleryEntry, GalleryHit } from './gallery-index.js';
import { syntheticEntries, syntheticProbes } from './synthetic-gallery.js';

const D = 32;

function randomUnit(g: () => number, d = D): Float32Array {
  const v = new Float32Array(d);
  for (let i = 0; i < d; i++) v[i] = g();
  return l2Normalize(v);
}

/** Reference: score everything in float64, best template per subject, sort, take k. */
function reference(entries: GalleryEntry[], query: Float32Array, k: number): GalleryHit[] {
  const best = new Map<string, GalleryHit>();
  for (const e of entries) {
    let score = 0;
    for (let i = 0; i < query.length; i++) score += e.vector[i]! * query[i]!;
    const previous = best.get(e.subjectId);
    if (!previous || score > previous.score) {
      best.set(e.subjectId, { subjectId: e.subjectId, templateId: e.templateId, score });
    }
  }
  return [...best.values()].sort((a, b) => b.score - a.score).slice(0, k);
}

function randomGallery(seed: number, subjects: number, perSubject: number): GalleryEntry[] {
  const g = gaussian(seededRandom(seed));
  const entries: GalleryEntry[] = [];
  for (let s = 0; s < subjects; s++) {
    for (let t = 0; t < perSubject; t++) {
      entries.push({ subjectId: `sub${s}`, templateId: `sub${s}/${t}`, vector: randomUnit(g) });
    }
  }
  return entries;
}

describe('ExactIndex', () => {
  it('returns the same top-k as a brute-force reference, one hit per subject', () => {
    const entries = randomGallery(11, 300, 3);
    const index = new ExactIndex({ dimension: D });
    index.addMany(entries);
    assert.equal(index.size, 900);
    const g = gaussian(seededRandom(12));
    for (let q = 0; q < 50; q++) {
      const query = randomUnit(g);
      for (const k of [1, 5, 17]) {
        const got = index.search(query, k);
        const want = reference(entries, query, k);
        assert.deepEqual(
          got.map((h) => [h.subjectId, h.templateId]),
          want.map((h) => [h.subjectId, h.templateId]),
        );
        for (let i = 0; i < got.length; i++) {
          assert.ok(Math.abs(got[i]!.score - want[i]!.score) < 1e-5);
        }
        assert.equal(new Set(got.map((h) => h.subjectId)).size, got.length);
      }
    }
  });

  it('reports a subject with several templates once, with its best template', () => {
    const index = new ExactIndex({ dimension: 4 });
    const v = (...xs: number[]): Float32Array => l2Normalize(new Float32Array(xs));
    index.add({ subjectId: 'a', templateId: 'a1', vector: v(1, 0.2, 0, 0) });
    index.add({ subjectId: 'a', templateId: 'a2', vector: v(1, 0, 0, 0) });
    index.add({ subjectId: 'a', templateId: 'a3', vector: v(1, 0.1, 0, 0) });
    index.add({ subjectId: 'b', templateId: 'b1', vector: v(0.5, 1, 0, 0) });
    index.add({ subjectId: 'c', templateId: 'c1', vector: v(0, 0, 1, 0) });
    const hits = index.search(v(1, 0, 0, 0), 3);
    assert.deepEqual(
      hits.map((h) => h.templateId),
      ['a2', 'b1', 'c1'],
    );
    assert.ok(Math.abs(hits[0]!.score - 1) < 1e-6);
    assert.equal(index.search(v(1, 0, 0, 0), 10).length, 3);
  });

  it('removes every template of a subject and keeps the others searchable', () => {
    const entries = randomGallery(21, 50, 4);
    for (const quantization of ['f32', 'int8'] as const) {
      const index = new ExactIndex({ dimension: D, quantization });
      index.addMany(entries);
      assert.equal(index.removeSubject('sub7'), 4);
      assert.equal(index.removeSubject('sub7'), 0);
      assert.equal(index.removeSubject('nobody'), 0);
      assert.equal(index.size, 196);
      const remaining = entries.filter((e) => e.subjectId !== 'sub7');
      for (const e of entries.slice(0, 60)) {
        const hits = index.search(e.vector, 5);
        assert.ok(hits.every((h) => h.subjectId !== 'sub7'));
        if (e.subjectId !== 'sub7') assert.equal(hits[0]!.templateId, e.templateId);
        const want = reference(remaining, e.vector, 5);
        if (quantization === 'f32') {
          assert.deepEqual(
            hits.map((h) => h.subjectId),
            want.map((h) => h.subjectId),
          );
        } else {
          // int8 may swap near-ties; rank by rank the scores must still agree closely.
          for (let i = 0; i < want.length; i++) {
            assert.ok(Math.abs(hits[i]!.score - want[i]!.score) < 0.02);
          }
        }
      }
      // Re-enrolling a removed subject works.
      index.add(entries[28]!);
      assert.equal(index.search(entries[28]!.vector, 1)[0]!.subjectId, 'sub7');
    }
  });

  it('int8 scores stay within 0.01 of float scores', () => {
    const options = { dimension: 128, identities: 200, templatesPerIdentity: 5 };
    const f32 = new ExactIndex({ dimension: 128 });
    const i8 = new ExactIndex({ dimension: 128, quantization: 'int8' });
    f32.addMany(syntheticEntries(options));
    i8.addMany(syntheticEntries(options));
    assert.ok(i8.memoryBytes() < f32.memoryBytes());
    let worst = 0;
    for (const probe of syntheticProbes(options, 100)) {
      const a = f32.search(probe.vector, 20);
      const b = i8.search(probe.vector, 20);
      assert.equal(b[0]!.subjectId, a[0]!.subjectId);
      const byTemplate = new Map(a.map((h) => [h.templateId, h.score]));
      for (const hit of b) {
        const exact = byTemplate.get(hit.templateId);
        if (exact !== undefined) worst = Math.max(worst, Math.abs(exact - hit.score));
      }
    }
    assert.ok(worst < 0.01, `worst int8 error ${worst}`);
  });

  it('searches an empty index without error', () => {
    const index = new ExactIndex({ dimension: D });
    assert.deepEqual(index.search(new Float32Array(D), 5), []);
    assert.equal(index.size, 0);
    assert.ok(index.memoryBytes() >= 0);
  });

  it('refuses wrong dimensions and bad k with InvalidArgument', () => {
    const index = new ExactIndex({ dimension: D });
    const bad = new Float32Array(D + 1);
    assert.throws(
      () => index.add({ subjectId: 'a', templateId: 'a', vector: bad }),
      (e: unknown) => e instanceof InvalidArgument && e.code === 'invalid_argument',
    );
    assert.throws(() => index.search(bad, 1), InvalidArgument);
    assert.throws(() => index.search(new Float32Array(D), 0), InvalidArgument);
    const nan = new Float32Array(D).fill(Number.NaN);
    assert.throws(() => index.add({ subjectId: 'a', templateId: 'a', vector: nan }), InvalidArgument);
    assert.throws(() => new ExactIndex({ dimension: 0 }), InvalidArgument);
  });
});

runGalleryIndexContract('exact f32', (dimension) => new ExactIndex({ dimension }));
runGalleryIndexContract('exact int8', (dimension) => new ExactIndex({ dimension, quantization: 'int8' }), { scoreTolerance: 0.01 });
