import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidArgument } from '../../errors/domain-errors.js';
import { gaussian, seededRandom } from '../../runtime/seeded-random.js';
import { l2Normalize } from '../../math/vector-math.js';
import { ExactIndex } from './exact-index.js';
import type { GalleryEntry } from './gallery-index.js';
import { HnswIndex } from './hnsw-index.js';
import { runGalleryIndexContract } from '../../../test/kit/contracts/gallery-index-contract.js';
import { syntheticEntries, syntheticProbes } from './synthetic-gallery.js';

const D = 128;

function unitGaussian(g: () => number, d = D): Float32Array {
  const v = new Float32Array(d);
  for (let i = 0; i < d; i++) v[i] = g();
  return l2Normalize(v);
}

function perturb(v: Float32Array, g: () => number, noise: number): Float32Array {
  const out = new Float32Array(v.length);
  const sigma = noise / Math.sqrt(v.length);
  for (let i = 0; i < v.length; i++) out[i] = v[i]! + sigma * g();
  return l2Normalize(out);
}

describe('HnswIndex', () => {
  it('recall@1 >= 0.99 against exact search on 20,000 vectors with perturbed queries', () => {
    const g = gaussian(seededRandom(101));
    const entries: GalleryEntry[] = [];
    for (let i = 0; i < 20_000; i++) {
      entries.push({ subjectId: `p${i >> 1}`, templateId: `t${i}`, vector: unitGaussian(g) });
    }
    const exact = new ExactIndex({ dimension: D });
    const hnsw = new HnswIndex({ dimension: D });
    exact.addMany(entries);
    hnsw.addMany(entries);
    assert.equal(hnsw.size, 20_000);
    const pick = seededRandom(102);
    const queries = 500;
    let agree = 0;
    let errorSum = 0;
    for (let q = 0; q < queries; q++) {
      const target = entries[Math.floor(pick() * entries.length)]!;
      const query = perturb(target.vector, g, 0.8);
      const want = exact.search(query, 5);
      const got = hnsw.search(query, 5);
      assert.ok(got.length <= 5);
      assert.equal(new Set(got.map((h) => h.subjectId)).size, got.length);
      if (got[0]?.subjectId !== want[0]!.subjectId) continue;
      agree++;
      // Scores are usearch's int8 cosines: a few thousandths off float, never enough to matter.
      const error = Math.abs(got[0]!.score - want[0]!.score);
      assert.ok(error < 0.02, `score ${got[0]!.score} vs float ${want[0]!.score}`);
      errorSum += error;
    }
    assert.ok(agree / queries >= 0.99, `recall@1 ${agree / queries}`);
    assert.ok(errorSum / agree < 0.005, `mean score error ${errorSum / agree}`);
  });

  it('finds identities from new noisy samples, one hit per subject', () => {
    const options = { dimension: D, identities: 1_000, templatesPerIdentity: 4 };
    const hnsw = new HnswIndex({ dimension: D, storage: 'f16' });
    hnsw.addMany(syntheticEntries(options));
    let correct = 0;
    for (const probe of syntheticProbes(options, 200)) {
      const hits = hnsw.search(probe.vector, 5);
      assert.equal(hits.length, 5);
      assert.equal(new Set(hits.map((h) => h.subjectId)).size, 5);
      for (let i = 1; i < hits.length; i++) assert.ok(hits[i - 1]!.score >= hits[i]!.score);
      if (hits[0]!.subjectId === probe.subjectId) correct++;
    }
    assert.ok(correct >= 198, `identity recall ${correct}/200`);
  });

  it('removes subjects (single adds), and reuses their slots instead of growing', () => {
    const options = { dimension: D, identities: 3_000, templatesPerIdentity: 2 };
    const all = [...syntheticEntries(options)];
    const hnsw = new HnswIndex({ dimension: D });
    for (const entry of all.slice(0, 3_000)) hnsw.add(entry);
    assert.equal(hnsw.size, 3_000);
    assert.equal(hnsw.removeSubject('s3'), 2);
    assert.equal(hnsw.removeSubject('s3'), 0);
    assert.equal(hnsw.size, 2_998);
    const probes = syntheticProbes(options, 600);
    for (const probe of probes.slice(0, 300)) {
      assert.ok(hnsw.search(probe.vector, 3).every((h) => h.subjectId !== 's3'));
    }
    const before = hnsw.memoryBytes();
    // Remove 60% of the subjects, then enrol as many new ones: the freed slots take them.
    let removed = 2;
    for (let i = 0; i < 900; i++) if (i !== 3) removed += hnsw.removeSubject(`s${i}`);
    assert.equal(removed, 1_800);
    assert.equal(hnsw.size, 1_200);
    hnsw.addMany(all.slice(3_000, 4_800));
    assert.equal(hnsw.size, 3_000);
    assert.ok(hnsw.memoryBytes() <= before * 1.05, `${hnsw.memoryBytes()} bytes after churn, ${before} before`);
    let correct = 0;
    let live = 0;
    for (const probe of probes) {
      const hits = hnsw.search(probe.vector, 3);
      const identity = Number(probe.subjectId.slice(1));
      assert.ok(hits.every((h) => Number(h.subjectId.slice(1)) >= 900));
      if (identity >= 900 && identity < 2_400) {
        live++;
        if (hits[0]!.subjectId === probe.subjectId) correct++;
        assert.match(hits[0]!.templateId, /^s\d+-t[01]$/);
      }
    }
    assert.ok(live > 200 && correct >= live - 2, `${correct}/${live}`);
  });

  it('searches an empty index and refuses wrong dimensions', () => {
    const hnsw = new HnswIndex({ dimension: D });
    assert.deepEqual(hnsw.search(new Float32Array(D), 3), []);
    assert.throws(() => hnsw.add({ subjectId: 'a', templateId: 'a', vector: new Float32Array(D - 1) }), InvalidArgument);
    assert.throws(() => hnsw.search(new Float32Array(3), 3), InvalidArgument);
    assert.throws(() => hnsw.search(new Float32Array(D), -1), InvalidArgument);
    assert.equal(hnsw.size, 0);
  });
});

runGalleryIndexContract('hnsw int8', (dimension) => new HnswIndex({ dimension }), { scoreTolerance: 0.01 });
runGalleryIndexContract('hnsw f16', (dimension) => new HnswIndex({ dimension, storage: 'f16' }), { scoreTolerance: 0.002 });
