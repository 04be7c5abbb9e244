/**
 * One behavioural contract for every GalleryIndex implementation (Hono-style: the cases live here
 * once; each implementation's test file runs them in a few lines). Galleries are small and fixed
 * by seed, so an approximate index (HNSW) must still return the exact answers asked for here: the
 * enrolled vector itself, one hit per subject, best-first. Recall at scale is each index's own test.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidArgument } from '../../../src/errors/domain-errors.js';
import type { GalleryEntry, GalleryIndex } from '../../../src/matcher/index/gallery-index.js';
import { l2Normalize } from '../../../src/math/vector-math.js';
import { gaussian, seededRandom } from '../../../src/runtime/seeded-random.js';

export interface GalleryIndexContractOptions {
  /** How far a stored score may stray from the float64 cosine (quantized storage). Default 1e-5. */
  readonly scoreTolerance?: number;
  /** How many templates the cases enroll; above a tiered index's threshold to cover both tiers. Default 120. */
  readonly gallerySize?: number;
}

const DIMENSION = 32;

function unitVector(g: () => number): Float32Array {
  const v = new Float32Array(DIMENSION);
  for (let i = 0; i < DIMENSION; i++) v[i] = g();
  return l2Normalize(v);
}

/** `templates` entries over subjects of two templates each, from a fixed seed. */
function gallery(seed: number, templates: number): GalleryEntry[] {
  const g = gaussian(seededRandom(seed));
  return Array.from({ length: templates }, (_, i) => ({
    subjectId: `subject-${Math.floor(i / 2)}`,
    templateId: `template-${i}`,
    vector: unitVector(g),
  }));
}

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i]! * b[i]!;
  return dot;
}

export function runGalleryIndexContract(
  name: string,
  create: (dimension: number) => GalleryIndex,
  { scoreTolerance = 1e-5, gallerySize = 120 }: GalleryIndexContractOptions = {},
): void {
  describe(`GalleryIndex contract: ${name}`, () => {
    it('an empty index has size 0 and finds nothing', () => {
      const index = create(DIMENSION);
      assert.equal(index.dimension, DIMENSION);
      assert.equal(index.size, 0);
      assert.deepEqual(index.search(unitVector(gaussian(seededRandom(1))), 5), []);
    });

    it('counts templates, and finds an enrolled vector first with its cosine score', () => {
      const entries = gallery(2, gallerySize);
      const index = create(DIMENSION);
      for (const entry of entries) index.add(entry);
      assert.equal(index.size, entries.length);
      for (const probe of [entries[0]!, entries[Math.floor(entries.length / 2)]!, entries.at(-1)!]) {
        const [top] = index.search(probe.vector, 3);
        assert.equal(top?.subjectId, probe.subjectId);
        assert.equal(top?.templateId, probe.templateId);
        assert.ok(Math.abs(top!.score - 1) <= scoreTolerance, `self score ${top!.score}`);
      }
    });

    it('returns at most k hits, best-first, one per subject with its best template, scored as cosine', () => {
      const entries = gallery(3, gallerySize);
      const index = create(DIMENSION);
      index.addMany(entries);
      const query = entries[7]!.vector;
      const hits = index.search(query, 10);
      assert.ok(hits.length > 0 && hits.length <= 10);
      assert.equal(new Set(hits.map((h) => h.subjectId)).size, hits.length, 'one hit per subject');
      for (let i = 1; i < hits.length; i++) assert.ok(hits[i - 1]!.score >= hits[i]!.score, 'best-first');
      const byTemplate = new Map(entries.map((e) => [e.templateId, e]));
      for (const hit of hits) {
        const entry = byTemplate.get(hit.templateId);
        assert.equal(entry?.subjectId, hit.subjectId);
        assert.ok(Math.abs(hit.score - cosine(entry!.vector, query)) <= scoreTolerance, `score of ${hit.templateId}`);
        const best = Math.max(...entries.filter((e) => e.subjectId === hit.subjectId).map((e) => cosine(e.vector, query)));
        assert.ok(hit.score >= best - scoreTolerance, `${hit.subjectId} is scored with its best template`);
      }
    });

    it('addMany holds the same templates as one add each', () => {
      const entries = gallery(4, gallerySize);
      const one = create(DIMENSION);
      const bulk = create(DIMENSION);
      for (const entry of entries) one.add(entry);
      bulk.addMany(entries);
      assert.equal(bulk.size, one.size);
      const probe = entries[11]!;
      assert.equal(bulk.search(probe.vector, 1)[0]?.templateId, one.search(probe.vector, 1)[0]?.templateId);
    });

    it('removeSubject drops every template of that subject only, and reports how many', () => {
      const entries = gallery(5, gallerySize);
      const index = create(DIMENSION);
      index.addMany(entries);
      const gone = entries[0]!;
      assert.equal(index.removeSubject(gone.subjectId), 2);
      assert.equal(index.size, entries.length - 2);
      assert.ok(!index.search(gone.vector, 10).some((h) => h.subjectId === gone.subjectId));
      assert.equal(index.removeSubject(gone.subjectId), 0);
      assert.equal(index.removeSubject('never-enrolled'), 0);
      const kept = entries[5]!;
      assert.equal(index.search(kept.vector, 1)[0]?.templateId, kept.templateId);
    });

    it('reports memory of at least one byte per stored component', () => {
      // Not "more than when empty": an index may preallocate (exact) or change tier (tiered).
      const index = create(DIMENSION);
      index.addMany(gallery(6, gallerySize));
      const bytes = index.memoryBytes();
      assert.ok(Number.isFinite(bytes) && bytes >= gallerySize * DIMENSION, `${bytes} bytes for ${gallerySize} templates`);
    });

    it('refuses wrong dimensions, non-finite values, empty ids and bad k with InvalidArgument', () => {
      const index = create(DIMENSION);
      const vector = unitVector(gaussian(seededRandom(7)));
      assert.throws(() => index.add({ subjectId: 's', templateId: 't', vector: new Float32Array(DIMENSION + 1) }), InvalidArgument);
      const nan = vector.slice();
      nan[3] = Number.NaN;
      assert.throws(() => index.add({ subjectId: 's', templateId: 't', vector: nan }), InvalidArgument);
      assert.throws(() => index.add({ subjectId: '', templateId: 't', vector }), InvalidArgument);
      assert.throws(() => index.search(new Float32Array(DIMENSION - 1), 1), InvalidArgument);
      assert.throws(() => index.search(vector, 0), InvalidArgument);
      assert.throws(() => index.search(vector, 1.5), InvalidArgument);
      assert.equal(index.size, 0, 'refused entries are not kept');
    });
  });
}
