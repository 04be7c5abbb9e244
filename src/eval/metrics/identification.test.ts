import assert from 'node:assert/strict';
import { test } from 'node:test';
import { identificationMetrics, type IdentificationScores } from './identification.js';
import { nextUp } from './next-up.js';
import { isMatch } from './score-distribution.js';
import { seededRandom } from '../../runtime/seeded-random.js';

const F = -Infinity;

function searches(rows: number[][], truth: number[]): IdentificationScores {
  return {
    scores: Float32Array.from(rows.flat()),
    probeCount: rows.length,
    galleryCount: rows[0]!.length,
    probeTruth: Int32Array.from(truth),
  };
}

// Probes 0–2 are mated with gallery entries 0, 1, 2; probe 1's mate is out-scored by entry 0.
const closedSet = [
  [0.9, 0.2, 0.1],
  [0.6, 0.5, 0.1],
  [0.3, 0.2, 0.625],
];

test('closed-set CMC and rank-1 on a 3 × 3 matrix', () => {
  const metrics = identificationMetrics(searches(closedSet, [0, 1, 2]));
  assert.equal(metrics.matedCount, 3);
  assert.equal(metrics.nonMatedCount, 0);
  assert.equal(metrics.rank1, 2 / 3);
  assert.deepEqual(metrics.cmc(3), [2 / 3, 1, 1]);
  assert.throws(() => metrics.fnirAtFpir(0.1), /no non-mated/);
  assert.throws(() => metrics.cmc(0), /maxRank/);
});

test('open-set FNIR at FPIR: a miss is a mate not at rank 1 or below the threshold', () => {
  const rows = [...closedSet, [0.4, 0.65, 0.2], [F, F, F]];
  const metrics = identificationMetrics(searches(rows, [0, 1, 2, -1, -1]));
  assert.equal(metrics.nonMatedCount, 2);

  // FPIR 0: the threshold must clear the non-mated top score 0.65, which also loses probe 2 (0.625).
  const strict = metrics.fnirAtFpir(0);
  assert.equal(strict.threshold, nextUp(Math.fround(0.65)));
  assert.equal(strict.fpirAchieved, 0);
  assert.equal(strict.fnir, 2 / 3);
  assert.equal(strict.reliable, false);

  // FPIR 1/2: one false positive allowed. The failed-to-enroll non-mated probe never is one,
  // so the threshold drops to the lowest finite value and only probe 1 (rank 2) is missed.
  const lenient = metrics.fnirAtFpir(0.5);
  assert.equal(lenient.threshold, -Number.MAX_VALUE);
  assert.equal(lenient.fpirAchieved, 0.5);
  assert.equal(lenient.fnir, 1 / 3);
});

test('a mated probe that failed to enroll is a miss at every rank and threshold', () => {
  const metrics = identificationMetrics(searches([...closedSet, [F, F, F], [0.1, 0.2, 0.3]], [0, 1, 2, 0, -1]));
  assert.deepEqual(metrics.cmc(3), [2 / 4, 3 / 4, 3 / 4]);
  assert.equal(metrics.fnirAtFpir(1).fnir, 2 / 4);
});

test('ties with the mate rank the mate behind (pessimistic)', () => {
  const metrics = identificationMetrics(searches([[0.5, 0.5, 0.1]], [0]));
  assert.deepEqual(metrics.cmc(2), [0, 1]);
});

test('rejects malformed input', () => {
  assert.throws(() => identificationMetrics(searches([[0.1, 0.2]], [-1])), /no mated probes/);
  assert.throws(() => identificationMetrics(searches([[0.1, 0.2]], [2])), /outside the gallery/);
  assert.throws(() => identificationMetrics({ ...searches([[0.1, 0.2]], [0]), galleryCount: 3 }), /expected 1 × 3/);
  assert.throws(() => identificationMetrics(searches([[0.1, NaN]], [0])), /NaN/);
});

test('CMC and FNIR at FPIR match a brute-force reference on a random 80 × 25 search', () => {
  const random = seededRandom(21);
  const probeCount = 80;
  const galleryCount = 25;
  const truth = Array.from({ length: probeCount }, (_, p) => (p % 3 === 0 ? -1 : Math.floor(random() * galleryCount)));
  const rows = truth.map((mate) =>
    Array.from({ length: galleryCount }, (_, g) => {
      if (random() < 0.01) return F;
      const base = g === mate ? 0.5 : 0;
      // Coarse grid for plenty of ties; fround so the reference sees the matrix's float32 values.
      return Math.fround(Math.round((base + random()) * 20) / 20);
    }),
  );
  rows[1] = rows[1]!.map(() => F); // a mated failure to enroll
  rows[3] = rows[3]!.map(() => F); // a non-mated failure to enroll
  const metrics = identificationMetrics(searches(rows, truth));

  const mated = rows.flatMap((row, p) => (truth[p]! >= 0 ? [{ row, mate: truth[p]! }] : []));
  const nonMatedTops = rows.filter((_, p) => truth[p] === -1).map((row) => Math.max(...row));
  const bruteRank = ({ row, mate }: { row: number[]; mate: number }): number =>
    row[mate] === F ? Infinity : 1 + row.filter((s, g) => g !== mate && s >= row[mate]!).length;
  const maxRank = 10;
  const bruteCmc = Array.from({ length: maxRank }, (_, k) => mated.filter((m) => bruteRank(m) <= k + 1).length / mated.length);
  assert.deepEqual(metrics.cmc(maxRank), bruteCmc);
  assert.equal(metrics.rank1, bruteCmc[0]);

  const candidates = [-Infinity, ...nonMatedTops.map(nextUp)].sort((a, b) => a - b);
  for (const target of [0, 1 / 27, 0.1, 0.3, 0.5, 1]) {
    const fpir = (t: number): number => nonMatedTops.filter((s) => isMatch(s, t)).length / nonMatedTops.length;
    const threshold = candidates.find((t) => fpir(t) <= target + 1e-12)!;
    const fnir = mated.filter((m) => !(bruteRank(m) === 1 && isMatch(m.row[m.mate]!, threshold))).length / mated.length;
    const result = metrics.fnirAtFpir(target);
    assert.equal(result.threshold, threshold, `target ${target}`);
    assert.equal(result.fpirAchieved, fpir(threshold), `target ${target}`);
    assert.equal(result.fnir, fnir, `target ${target}`);
    assert.equal(result.reliable, target * nonMatedTops.length >= 10);
  }
});
