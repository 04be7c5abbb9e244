import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bestAccuracyThreshold, kFoldAccuracy, type PairFold } from './k-fold-accuracy.js';
import { isMatch, sortedScores } from './score-distribution.js';
import { seededRandom } from '../../runtime/seeded-random.js';

function fold(genuine: number[], impostor: number[]): PairFold {
  return {
    scores: Float64Array.from([...genuine, ...impostor]),
    same: Uint8Array.from([...genuine.map(() => 1), ...impostor.map(() => 0)]),
  };
}

test('separable folds: every fold perfect, threshold in the middle of the gap', () => {
  const separable = fold([0.8, 0.9], [0.1, 0.2]);
  const result = kFoldAccuracy([separable, separable, separable]);
  assert.equal(result.mean, 1);
  assert.equal(result.std, 0);
  assert.deepEqual(
    result.perFold.map((f) => f.threshold),
    [0.5, 0.5, 0.5],
  );
});

test('a hard pair costs only its own fold, and the threshold comes from the other folds', () => {
  const easy = fold([0.8, 0.9], [0.1, 0.2]);
  const hard = fold([0.8, 0.9, 0.15], [0.1, 0.2]);
  const result = kFoldAccuracy([easy, easy, hard]);
  assert.deepEqual(
    result.perFold.map((f) => f.accuracy),
    [1, 1, 0.8],
  );
  // Trained on easy+hard, the best threshold still sits at 0.5 (8 of 9 right beats 7 of 9 at 0.125).
  assert.deepEqual(
    result.perFold.map((f) => f.threshold),
    [0.5, 0.5, 0.5],
  );
  assert.ok(Math.abs(result.mean - 2.8 / 3) < 1e-12);
  const populationStd = Math.sqrt(((1 - 2.8 / 3) ** 2 * 2 + (0.8 - 2.8 / 3) ** 2) / 3);
  assert.ok(Math.abs(result.std - populationStd) < 1e-12, `population std ${populationStd}, got ${result.std}`);
});

test('a failure to enroll counts as a predicted non-match: wrong for a same pair, right for a different pair', () => {
  const easy = fold([0.8, 0.9], [0.1, 0.2]);
  const failed = fold([0.8, 0.9, -Infinity], [0.1, 0.2, -Infinity]);
  const result = kFoldAccuracy([easy, easy, failed]);
  assert.equal(result.perFold[2]!.accuracy, 5 / 6, 'denominator keeps all six pairs');
});

test('threshold extremes: ±Infinity when one class is absent from training', () => {
  assert.deepEqual(bestAccuracyThreshold(sortedScores([0.3, 0.4]), sortedScores([])), { threshold: -Infinity, accuracy: 1 });
  assert.deepEqual(bestAccuracyThreshold(sortedScores([]), sortedScores([0.3, 0.4])), { threshold: Infinity, accuracy: 1 });
  // A genuine failure to enroll cannot be rescued by any threshold.
  assert.deepEqual(bestAccuracyThreshold(sortedScores([-Infinity, 0.3]), sortedScores([])), { threshold: -Infinity, accuracy: 0.5 });
});

test('midpoints of adjacent doubles still separate them', () => {
  const low = 0.5;
  const high = 0.5 + Number.EPSILON / 2;
  const { threshold, accuracy } = bestAccuracyThreshold(sortedScores([high]), sortedScores([low]));
  assert.equal(accuracy, 1);
  assert.ok(threshold > low && threshold <= high);
});

test('rejects malformed folds', () => {
  const ok = fold([0.9], [0.1]);
  assert.throws(() => kFoldAccuracy([ok]), /at least 2 folds/);
  assert.throws(() => kFoldAccuracy([ok, { scores: new Float64Array(2), same: new Uint8Array(1) }]), /2 scores but 1 labels/);
  assert.throws(() => kFoldAccuracy([ok, { scores: new Float64Array(1), same: Uint8Array.from([2]) }]), /expected 0 or 1/);
  assert.throws(() => kFoldAccuracy([ok, fold([NaN], [])]), /NaN/);
});

test('10-fold accuracy matches a brute-force threshold search on random folds', () => {
  const random = seededRandom(5);
  const folds = Array.from({ length: 10 }, () => {
    const scores = new Float64Array(60);
    const same = new Uint8Array(60);
    for (let i = 0; i < 60; i++) {
      same[i] = i % 2;
      scores[i] = random() < 0.02 ? -Infinity : Math.round((same[i]! * 0.8 + random()) * 40) / 40;
    }
    return { scores, same };
  });
  const result = kFoldAccuracy(folds);

  const accuracyOf = (scores: number[], same: number[], t: number): number =>
    scores.filter((s, i) => isMatch(s, t) === (same[i] === 1)).length / scores.length;
  folds.forEach((held, f) => {
    const trainScores = folds.flatMap((other, o) => (o === f ? [] : Array.from(other.scores)));
    const trainSame = folds.flatMap((other, o) => (o === f ? [] : Array.from(other.same)));
    const distinct = [...new Set(trainScores.filter((s) => s > -Infinity))].sort((a, b) => a - b);
    const candidates = [-Infinity, ...distinct.slice(1).map((s, i) => (distinct[i]! + s) / 2), Infinity];
    const accuracies = candidates.map((t) => accuracyOf(trainScores, trainSame, t));
    const best = Math.max(...accuracies);
    const chosen = result.perFold[f]!;
    assert.equal(chosen.threshold, candidates[accuracies.indexOf(best)], `fold ${f}: first best candidate`);
    assert.equal(chosen.accuracy, accuracyOf(Array.from(held.scores), Array.from(held.same), chosen.threshold), `fold ${f}`);
  });
  const mean = result.perFold.reduce((s, f) => s + f.accuracy, 0) / 10;
  assert.ok(Math.abs(result.mean - mean) < 1e-12);
  assert.ok(result.mean > 0.6 && result.mean < 0.95, `overlapping classes give imperfect accuracy, got ${result.mean}`);
});
