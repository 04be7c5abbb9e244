import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidArgument } from '../../errors/domain-errors.js';
import { ExactIndex } from './exact-index.js';
import { TieredIndex } from './tiered-index.js';
import { runGalleryIndexContract } from '../../../test/kit/contracts/gallery-index-contract.js';
import { syntheticEntries, syntheticProbes } from './synthetic-gallery.js';

const D = 64;

describe('TieredIndex', () => {
  it('switches from exact to HNSW above the threshold and keeps results', () => {
    const options = { dimension: D, identities: 700, templatesPerIdentity: 3 };
    const tiered = new TieredIndex({ dimension: D, threshold: 1_500 });
    const exact = new ExactIndex({ dimension: D });
    const entries = [...syntheticEntries(options)];
    exact.addMany(entries);
    tiered.addMany(entries.slice(0, 1_500));
    assert.equal(tiered.tier, 'exact');
    const probes = syntheticProbes(options, 200);
    const before = probes.map((p) => tiered.search(p.vector, 5));
    tiered.add(entries[1_500]!);
    assert.equal(tiered.tier, 'hnsw');
    tiered.addMany(entries.slice(1_501));
    assert.equal(tiered.size, 2_100);
    let agree = 0;
    let eligible = 0;
    let kept = 0;
    for (let i = 0; i < probes.length; i++) {
      const probe = probes[i]!;
      const got = tiered.search(probe.vector, 5);
      const want = exact.search(probe.vector, 5);
      if (got[0]!.subjectId === want[0]!.subjectId) agree++;
      // Subjects enrolled before the switch are still found with (nearly) the same score. The HNSW
      // graph is built by several threads, so its exact shape varies from run to run: count, don't
      // demand every single probe.
      const earlier = before[i]![0]!;
      if (Number(probe.subjectId.slice(1)) < 500 && earlier.subjectId === probe.subjectId) {
        eligible++;
        const now = got.find((h) => h.subjectId === earlier.subjectId);
        if (now && Math.abs(now.score - earlier.score) < 0.01) kept++;
      }
    }
    assert.ok(agree >= 198, `agreement ${agree}/200`);
    assert.ok(eligible > 50 && kept >= eligible - 2, `earlier subjects kept ${kept}/${eligible}`);
    assert.equal(tiered.removeSubject('s1'), 3);
    assert.equal(tiered.size, 2_097);
  });

  it('promotes part-way through addMany', () => {
    const options = { dimension: D, identities: 300, templatesPerIdentity: 2 };
    const tiered = new TieredIndex({ dimension: D, threshold: 100 });
    tiered.addMany(syntheticEntries(options));
    assert.equal(tiered.tier, 'hnsw');
    assert.equal(tiered.size, 600);
    const probe = syntheticProbes(options, 1)[0]!;
    assert.equal(tiered.search(probe.vector, 1)[0]!.subjectId, probe.subjectId);
  });

  it('handles the empty index and dimension mismatch', () => {
    const tiered = new TieredIndex({ dimension: D });
    assert.deepEqual(tiered.search(new Float32Array(D), 5), []);
    assert.throws(() => tiered.search(new Float32Array(D + 2), 5), InvalidArgument);
  });
});

// Threshold below the contract's gallery, so the cases cross from the exact tier to HNSW.
runGalleryIndexContract('tiered', (dimension) => new TieredIndex({ dimension, threshold: 64 }), { scoreTolerance: 0.01 });
