import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decades, detPath, expectedFalseMatches, stackDeclines } from './charts';

describe('console charts', () => {
  it('stacks decline reasons per day in a fixed reason order', () => {
    const { days, reasons, max } = stackDeclines([
      { day: '2026-11-30', reason: 'spoof_suspected', count: 1 },
      { day: '2026-11-29', reason: 'no_match', count: 3 },
      { day: '2026-11-30', reason: 'no_match', count: 2 },
    ]);
    assert.deepEqual(reasons, ['no_match', 'spoof_suspected']);
    assert.deepEqual(
      days.map((d) => [d.day, d.total, d.parts.map((p) => [p.reason, p.from, p.count])]),
      [
        ['2026-11-29', 3, [['no_match', 0, 3]]],
        ['2026-11-30', 3, [['no_match', 0, 2], ['spoof_suspected', 2, 1]]],
      ],
    );
    assert.equal(max, 3);
  });

  it('draws the DET curve on log axes in whole decades, zero rates at the floor', () => {
    assert.deepEqual(decades([1e-5, 0.02]), [-5, -1]);
    const { d, fmrRange, fnmrRange } = detPath(
      [
        { fmr: 1e-4, fnmr: 0.1 },
        { fmr: 1e-2, fnmr: 0.01 },
        { fmr: 1, fnmr: 0 },
      ],
      400,
      300,
    );
    assert.deepEqual(fmrRange, [-4, 0]);
    assert.deepEqual(fnmrRange, [-2, -1]);
    assert.equal(d, 'M0.0,0.0 L200.0,300.0 L400.0,300.0');
  });

  it('expected false matches per search is gallery size × target FMR', () => {
    assert.equal(expectedFalseMatches(20_000, 1e-5), 0.2);
  });
});
