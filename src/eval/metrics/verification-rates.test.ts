import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nextUp } from './next-up.js';
import { isMatch, sortedScores } from './score-distribution.js';
import { seededRandom, gaussian } from '../../runtime/seeded-random.js';
import { allowedErrors, equalErrorRate, fmrAt, fnmrAt, tarAtFar, thresholdForFmr } from './verification-rates.js';

const tenImpostors = sortedScores([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]);

function bruteFmr(impostors: readonly number[], t: number): number {
  return impostors.filter((s) => isMatch(s, t)).length / impostors.length;
}

function bruteFnmr(genuine: readonly number[], t: number): number {
  return genuine.filter((s) => !isMatch(s, t)).length / genuine.length;
}

/** Scores rounded to a coarse grid so ties are common, with some failures to enroll. */
function randomScores(random: () => number, count: number, mean: number): number[] {
  const normal = gaussian(random);
  return Array.from({ length: count }, () => (random() < 0.03 ? -Infinity : Math.round((mean + normal()) * 20) / 20));
}

test('fmrAt and fnmrAt on hand-checkable sets', () => {
  assert.equal(fmrAt(tenImpostors, 0.5), 0.6);
  assert.equal(fmrAt(tenImpostors, 0.55), 0.5);
  assert.equal(fmrAt(tenImpostors, 2), 0);
  const genuine = sortedScores([0.5, 0.6, 0.7, 0.8]);
  assert.equal(fnmrAt(genuine, 0.65), 0.5);
  assert.equal(fnmrAt(genuine, 0.5), 0);
});

test('a failure to enroll is a non-match at every threshold, never dropped', () => {
  const genuine = sortedScores([-Infinity, 0.9]);
  assert.equal(fnmrAt(genuine, -Infinity), 0.5);
  assert.equal(fnmrAt(genuine, 0), 0.5);
  const impostors = sortedScores([-Infinity, -Infinity, 0.3, 0.4]);
  assert.equal(fmrAt(impostors, -Infinity), 0.5);
});

test('empty score sets and out-of-range targets are rejected', () => {
  assert.throws(() => fmrAt(new Float64Array(0), 0.5), /empty/);
  assert.throws(() => fnmrAt(new Float64Array(0), 0.5), /empty/);
  assert.throws(() => thresholdForFmr(tenImpostors, 1.5), /target FMR/);
  assert.throws(() => thresholdForFmr(tenImpostors, NaN), /target FMR/);
});

test('allowedErrors survives floating-point products just below an integer', () => {
  assert.equal(0.29 * 100 < 29, true, 'the product really is below 29');
  assert.equal(allowedErrors(0.29, 100), 29);
  assert.equal(allowedErrors(1e-6, 1e6), 1);
  assert.equal(allowedErrors(0.999, 10), 9);
  assert.equal(allowedErrors(1, 10), 10);
});

test('thresholdForFmr sits one ulp above the (k+1)-th largest impostor', () => {
  const result = thresholdForFmr(tenImpostors, 0.2);
  assert.equal(result.threshold, nextUp(0.8));
  assert.equal(result.achievedFmr, 0.2);
  assert.equal(result.impostorsAbove, 2);
  assert.equal(result.reliable, false, '2 impostors above is too few to trust');
  assert.equal(fmrAt(tenImpostors, 0.8), 0.3, 'one ulp lower would exceed the target');
});

test('thresholdForFmr with ties allows fewer matches rather than more', () => {
  const impostors = sortedScores([0.1, 0.5, 0.5, 0.5, 0.9]);
  const result = thresholdForFmr(impostors, 0.4);
  assert.equal(result.threshold, nextUp(0.5));
  assert.equal(result.impostorsAbove, 1);
  assert.equal(result.achievedFmr, 0.2);
});

test('thresholdForFmr extremes: target 0 and target 1', () => {
  const zero = thresholdForFmr(tenImpostors, 0);
  assert.equal(zero.threshold, nextUp(1.0));
  assert.equal(zero.achievedFmr, 0);
  const withFailures = sortedScores([-Infinity, 0.2, 0.4, 0.6]);
  const one = thresholdForFmr(withFailures, 1);
  assert.equal(one.threshold, -Infinity);
  assert.equal(one.achievedFmr, 0.75, 'the failure to enroll still does not match');
});

test('reliable flips at target × n = 10', () => {
  const impostors = sortedScores(Array.from({ length: 1000 }, (_, i) => i / 1000));
  assert.equal(thresholdForFmr(impostors, 0.01).reliable, true);
  assert.equal(thresholdForFmr(impostors, 0.0099).reliable, false);
});

test('thresholdForFmr matches an O(n²) search over every candidate threshold (500 random scores)', () => {
  const random = seededRandom(11);
  const impostors = randomScores(random, 500, 0);
  const sorted = sortedScores(impostors);
  const candidates = [-Infinity, ...impostors, ...impostors.map(nextUp)].sort((a, b) => a - b);
  for (const target of [0, 0.001, 0.002, 0.01, 0.0333, 0.1, 0.25, 0.5, 0.9, 0.97, 1]) {
    const bruteThreshold = candidates.find((t) => bruteFmr(impostors, t) <= target + 1e-12);
    const result = thresholdForFmr(sorted, target);
    assert.equal(result.threshold, bruteThreshold, `target ${target}`);
    assert.equal(result.achievedFmr, bruteFmr(impostors, result.threshold), `target ${target}`);
    assert.ok(result.achievedFmr <= target + 1e-12, `achieved ${result.achievedFmr} <= target ${target}`);
  }
});

test('tarAtFar reads the genuine side at the FMR threshold', () => {
  const genuine = sortedScores([0.75, 0.85, 0.95, 1.0]);
  const result = tarAtFar(genuine, tenImpostors, 0.1);
  assert.equal(result.threshold, nextUp(0.9));
  assert.equal(result.tar, 0.5);
  assert.equal(result.reliable, false);
});

test('EER is 0 for perfectly separated scores', () => {
  const result = equalErrorRate(sortedScores([0.6, 0.7]), sortedScores([0.1, 0.2]));
  assert.equal(result.eer, 0);
  assert.ok(result.threshold > 0.2 && result.threshold <= 0.6);
});

test('EER where the curves meet exactly at an observed score', () => {
  // At 0.5: impostors 0.5 only match (FMR 1/4); genuine 0.3 only fails (FNMR 1/4).
  const result = equalErrorRate(sortedScores([0.3, 0.6, 0.7, 0.8]), sortedScores([0.1, 0.2, 0.4, 0.5]));
  assert.deepEqual(result, { eer: 0.25, threshold: 0.5 });
});

test('EER interpolates between the two points where FMR and FNMR cross', () => {
  // At 0.4: FMR 1/2, FNMR 1/3. At 0.6: FMR 0, FNMR 1/3. The segment crosses the diagonal a third of the way along.
  const result = equalErrorRate(sortedScores([0.3, 0.6, 0.7]), sortedScores([0.1, 0.4]));
  assert.ok(Math.abs(result.eer - 1 / 3) < 1e-12, `eer ${result.eer}`);
  assert.ok(Math.abs(result.threshold - (0.4 + 0.2 / 3)) < 1e-12, `threshold ${result.threshold}`);
});

test('EER of identical distributions is one half', () => {
  assert.equal(equalErrorRate(sortedScores([0.5]), sortedScores([0.5])).eer, 0.5);
});

test('EER when failures to enroll keep FNMR above FMR everywhere reports the worse rate', () => {
  const result = equalErrorRate(sortedScores([-Infinity, 0.9]), sortedScores([-Infinity, -Infinity, -Infinity, 0.1]));
  assert.equal(result.eer, 0.5);
});

test('EER matches an O(n²) reference and is bracketed at every threshold (500 random scores per class)', () => {
  for (const seed of [1, 2, 3]) {
    const random = seededRandom(seed);
    const genuine = randomScores(random, 500, 1.5);
    const impostors = randomScores(random, 500, 0);
    const result = equalErrorRate(sortedScores(genuine), sortedScores(impostors));

    const finite = [...new Set([...genuine, ...impostors].filter((s) => s > -Infinity))].sort((a, b) => a - b);
    const thresholds = [...finite, nextUp(finite[finite.length - 1]!)];
    const curve = thresholds.map((t) => ({ t, fmr: bruteFmr(impostors, t), fnmr: bruteFnmr(genuine, t) }));
    const j = curve.findIndex((p) => p.fnmr - p.fmr >= 0);
    const at = curve[j]!;
    const before = curve[j - 1]!;
    const along = (before.fmr - before.fnmr) / (at.fnmr - at.fmr - (before.fnmr - before.fmr));
    const referenceEer = before.fmr + along * (at.fmr - before.fmr);
    assert.ok(Math.abs(result.eer - referenceEer) < 1e-12, `seed ${seed}: ${result.eer} vs ${referenceEer}`);
    assert.ok(Math.abs(result.threshold - (before.t + along * (at.t - before.t))) < 1e-12);

    // Monotone curves: at any threshold one rate is at most the EER and the other at least.
    for (const p of curve) {
      assert.ok(
        Math.min(p.fmr, p.fnmr) <= result.eer + 1e-12 && result.eer <= Math.max(p.fmr, p.fnmr) + 1e-12,
        `seed ${seed}, threshold ${p.t}`,
      );
    }
    assert.ok(result.eer > 0.05 && result.eer < 0.4, `a d' of 1.5 gives an EER near 0.23 plus failures, got ${result.eer}`);
  }
});
