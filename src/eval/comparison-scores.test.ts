import test from 'node:test';
import assert from 'node:assert/strict';
import { allVsAllScores, outcomeScore, pairFoldScores } from './comparison-scores.js';
import { createTemplate } from '../templates/template.js';
import type { EnrollmentOutcome } from './embed-images.js';

const spec = { id: 't', version: '1', dimension: 2, dtype: 'float32' as const };
const ok = (x: number, y: number): EnrollmentOutcome => ({ ok: true, template: createTemplate(spec, Float32Array.of(x, y)) });
const failed: EnrollmentOutcome = { ok: false, code: 'face_not_found', message: 'no face' };

test('all-vs-all splits genuine and impostor pairs by identity and keeps failures as -Infinity', () => {
  const outcomes = [ok(1, 0), ok(1, 0.1), ok(0, 1), failed];
  const identities = ['a', 'a', 'b', 'b'];
  const { genuine, impostor } = allVsAllScores(outcomes, identities);
  assert.equal(genuine.length, 2);
  assert.equal(impostor.length, 4);
  assert.ok(genuine[0]! > 0.99);
  assert.equal(genuine[1], -Infinity);
  assert.equal(impostor.filter((s) => s === -Infinity).length, 2);
});

test('pair scores follow the folds and mark same-person pairs', () => {
  const outcomes = [ok(1, 0), ok(0, 1), failed];
  const index = new Map([
    ['x', 0],
    ['y', 1],
    ['z', 2],
  ]);
  const folds = pairFoldScores(
    [
      [
        { left: 'x', right: 'x', same: true },
        { left: 'x', right: 'y', same: false },
      ],
      [{ left: 'x', right: 'z', same: true }],
    ],
    index,
    outcomes,
  );
  assert.deepEqual([...folds[0]!.same], [1, 0]);
  assert.ok(Math.abs(folds[0]!.scores[0]! - 1) < 1e-6);
  assert.ok(Math.abs(folds[0]!.scores[1]!) < 1e-6);
  assert.equal(folds[1]!.scores[0], -Infinity);
  assert.equal(outcomeScore(undefined, outcomes[0]), -Infinity);
});
