import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sortedScores } from './score-distribution.js';
import { gaussian, seededRandom } from '../../runtime/seeded-random.js';
import { extrapolatedThresholdForFmr } from './tail-extrapolation.js';
import { thresholdForFmr } from './verification-rates.js';

function exponentialSample(seed: number, count: number, offset: number): Float64Array {
  const random = seededRandom(seed);
  const sample = new Float64Array(count);
  for (let i = 0; i < count; i++) sample[i] = offset - Math.log(1 - random());
  return sortedScores(sample);
}

test('uses the empirical threshold when target × n >= 10', () => {
  const impostors = exponentialSample(1, 10_000, 0);
  const result = extrapolatedThresholdForFmr(impostors, 1e-3);
  const empirical = thresholdForFmr(impostors, 1e-3);
  assert.equal(result.method, 'empirical');
  assert.equal(result.threshold, empirical.threshold);
  assert.equal(result.exceedances, 10);
  assert.equal(result.tailStart, null);
});

test('recovers the true threshold of an exponential distribution far beyond the data', () => {
  // Exp(1) shifted by 0.3: P(X >= t) = exp(-(t - 0.3)), so FMR 1e-7 sits at 0.3 + ln(1e7) ≈ 16.42,
  // a thousand times rarer than the single most extreme of 100 000 samples.
  const trueThreshold = 0.3 + Math.log(1e7);
  for (const seed of [1, 2, 3, 4, 5]) {
    const result = extrapolatedThresholdForFmr(exponentialSample(seed, 100_000, 0.3), 1e-7);
    assert.equal(result.method, 'exponential-tail');
    assert.equal(result.exceedances, 200, '200/n exceeds 1e-3 here, so exactly 200 exceedances');
    assert.ok(
      result.tailStart !== null && Math.abs(result.tailStart - (0.3 + Math.log(500))) < 0.5,
      `tail starts near the 2e-3 quantile, got ${result.tailStart}`,
    );
    const relativeError = Math.abs(result.threshold - trueThreshold) / trueThreshold;
    assert.ok(relativeError < 0.2, `seed ${seed}: ${result.threshold} vs ${trueThreshold}`);
  }
});

test('the tail starts at FMR 1e-3 once the data holds more than 200 exceedances there', () => {
  const result = extrapolatedThresholdForFmr(exponentialSample(9, 1_000_000, 0), 1e-6);
  assert.equal(result.method, 'exponential-tail');
  assert.equal(result.exceedances, 1000);
  assert.ok(Math.abs(result.threshold - Math.log(1e6)) / Math.log(1e6) < 0.05, `got ${result.threshold}`);
});

test('on a lighter-than-exponential (Gaussian) tail the extrapolation errs high, the safe side', () => {
  const normal = gaussian(seededRandom(3));
  const impostors = sortedScores(Array.from({ length: 100_000 }, normal));
  const gaussianQuantileAt1e6 = 4.753; // Φ⁻¹(1 − 1e-6)
  const result = extrapolatedThresholdForFmr(impostors, 1e-6);
  assert.equal(result.method, 'exponential-tail');
  assert.ok(result.threshold > gaussianQuantileAt1e6, `got ${result.threshold}`);
  assert.ok(result.threshold < gaussianQuantileAt1e6 + 1.5, `but not absurdly so: ${result.threshold}`);
});

test('failures to enroll are never taken as part of the tail', () => {
  const scores = new Float64Array(300).fill(-Infinity);
  for (let i = 0; i < 50; i++) scores[i] = i / 50;
  const result = extrapolatedThresholdForFmr(sortedScores(scores), 1e-4);
  assert.equal(result.exceedances, 49, 'every finite score but the tail start itself');
  assert.equal(result.tailStart, 0);
  assert.ok(Number.isFinite(result.threshold) && result.threshold > 0.98);
});

test('refuses to extrapolate from too few scores or to FMR 0', () => {
  assert.throws(() => extrapolatedThresholdForFmr(sortedScores([0.1, 0.2, 0.3]), 1e-3), /too few/);
  assert.throws(() => extrapolatedThresholdForFmr(exponentialSample(1, 1000, 0), 0), /FMR 0/);
});
