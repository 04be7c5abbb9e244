import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as metrics from './index.js';

test('the index exposes the whole public API as functions', () => {
  for (const name of [
    'sortedScores',
    'countAtOrAbove',
    'countBelow',
    'nextUp',
    'fmrAt',
    'fnmrAt',
    'thresholdForFmr',
    'tarAtFar',
    'equalErrorRate',
    'extrapolatedThresholdForFmr',
    'kFoldAccuracy',
    'detCurvePoints',
    'renderDetSvg',
    'renderDetPng',
    'identificationMetrics',
  ] as const) {
    assert.equal(typeof metrics[name], 'function', name);
  }
  assert.equal(metrics.FAILURE_TO_ENROLL_SCORE, -Infinity);
});

test('an evaluation runs end to end through the index', () => {
  const genuine = metrics.sortedScores([0.3, 0.6, 0.7, 0.8]);
  const impostors = metrics.sortedScores([0.1, 0.2, 0.4, 0.5]);
  assert.equal(metrics.equalErrorRate(genuine, impostors).eer, 0.25);
  assert.equal(metrics.tarAtFar(genuine, impostors, 0.25).tar, 0.75);
});
