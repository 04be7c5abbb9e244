import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Calibration } from './calibration/calibration-table.js';
import { decide, thresholdFor } from './decide.js';

const calibration = new Calibration({
  description: 'test',
  command: '',
  generatedAt: '',
  engines: [
    {
      engine: 'e',
      version: '1',
      thresholds: [
        { targetFmr: 1e-3, threshold: 0.5, method: 'empirical' },
        { targetFmr: 1e-5, threshold: 0.7, method: 'exponential-tail' },
      ],
    } as never,
  ],
});
const engine = { id: 'e', version: '1' };

describe('decide', () => {
  it('matches at or above the calibrated threshold and returns all its evidence', () => {
    assert.deepEqual(decide(0.7, engine, 1e-5, calibration), {
      match: true,
      score: 0.7,
      threshold: 0.7,
      targetFmr: 1e-5,
      thresholdMethod: 'exponential-tail',
      engine,
    });
    assert.equal(decide(0.69, engine, 1e-5, calibration).match, false);
    assert.equal(decide(0.69, engine, 1e-3, calibration).match, true, 'a looser operating point, a lower threshold');
  });

  it('looks up thresholds per engine version and refuses an uncalibrated one', () => {
    assert.equal(thresholdFor(calibration, engine, 1e-3).threshold, 0.5);
    assert.throws(() => decide(0.9, { id: 'e', version: '2' }, 1e-5, calibration), /has no calibration/);
  });
});
