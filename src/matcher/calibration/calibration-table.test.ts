import test from 'node:test';
import assert from 'node:assert/strict';
import { Calibration } from './calibration-table.js';
import { InvalidArgument, NotCalibrated } from '../../errors/domain-errors.js';

const calibration = new Calibration({
  description: 'test',
  command: 'test',
  generatedAt: '2026-01-01T00:00:00Z',
  engines: [
    {
      engine: 'e',
      version: '1',
      genuineCount: 10,
      impostorCount: 1000,
      impostorMean: 0.1,
      impostorStd: 0.1,
      thresholds: [
        { targetFmr: 1e-2, threshold: 0.5, method: 'empirical' },
        { targetFmr: 1e-3, threshold: 0.6, method: 'empirical' },
        { targetFmr: 1e-4, threshold: 0.7, method: 'exponential-tail' },
      ],
    },
  ],
});

test('exact calibrated points come back as stored', () => {
  assert.deepEqual(calibration.thresholdFor('e', '1', 1e-3), { threshold: 0.6, targetFmr: 1e-3, method: 'empirical' });
  assert.equal(calibration.thresholdFor('e', '1', 1e-4).method, 'exponential-tail');
});

test('between points the threshold is interpolated in log10(FMR)', () => {
  const mid = calibration.thresholdFor('e', '1', Math.sqrt(1e-2 * 1e-3));
  assert.ok(Math.abs(mid.threshold - 0.55) < 1e-9);
  assert.equal(mid.method, 'empirical');
  assert.equal(calibration.thresholdFor('e', '1', 3e-4).method, 'exponential-tail');
});

test('a stricter target never gives a lower threshold', () => {
  let previous = -Infinity;
  for (const fmr of [1e-2, 5e-3, 1e-3, 2e-4, 1e-4]) {
    const t = calibration.thresholdFor('e', '1', fmr).threshold;
    assert.ok(t >= previous);
    previous = t;
  }
});

test('refuses targets outside the table, bad targets and unknown engine versions', () => {
  assert.throws(() => calibration.thresholdFor('e', '1', 1e-6), InvalidArgument);
  assert.throws(() => calibration.thresholdFor('e', '1', 0), InvalidArgument);
  assert.throws(() => calibration.thresholdFor('e', '1', 1.5), InvalidArgument);
  assert.throws(() => calibration.thresholdFor('e', '2', 1e-3), NotCalibrated);
});
