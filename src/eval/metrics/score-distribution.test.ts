import assert from 'node:assert/strict';
import { test } from 'node:test';
import { countAtOrAbove, countBelow, countFailuresToEnroll, isMatch, lowerBound, sortedScores } from './score-distribution.js';
import { seededRandom } from '../../runtime/seeded-random.js';

test('sortedScores returns an ascending copy with failures to enroll first', () => {
  const input = [0.5, -Infinity, 0.1, 0.9, 0.5];
  const sorted = sortedScores(input);
  assert.deepEqual(Array.from(sorted), [-Infinity, 0.1, 0.5, 0.5, 0.9]);
  assert.deepEqual(input, [0.5, -Infinity, 0.1, 0.9, 0.5], 'input is left untouched');
  assert.ok(sorted instanceof Float64Array);
});

test('sortedScores accepts a Float32Array and keeps its values exactly', () => {
  const input = Float32Array.from([0.3, 0.1, 0.2]);
  assert.deepEqual(Array.from(sortedScores(input)), [input[1], input[2], input[0]]);
});

test('sortedScores rejects NaN and +Infinity', () => {
  assert.throws(() => sortedScores([0.1, NaN]), /score 1 is NaN/);
  assert.throws(() => sortedScores([Infinity]), /score 0 is Infinity/);
});

test('counts on a small array with ties', () => {
  const sorted = sortedScores([1, 2, 2, 3]);
  assert.equal(countAtOrAbove(sorted, 2), 3);
  assert.equal(countBelow(sorted, 2), 1);
  assert.equal(countAtOrAbove(sorted, 2.5), 1);
  assert.equal(countAtOrAbove(sorted, 0), 4);
  assert.equal(countAtOrAbove(sorted, 4), 0);
  assert.equal(countBelow(sorted, 4), 4);
  assert.equal(lowerBound(sorted, 3), 3);
});

test('a failure to enroll never matches, not even at threshold -Infinity', () => {
  const sorted = sortedScores([-Infinity, 1, 2]);
  assert.equal(countAtOrAbove(sorted, -Infinity), 2);
  assert.equal(countBelow(sorted, -Infinity), 1);
  assert.equal(countFailuresToEnroll(sorted), 1);
  assert.equal(isMatch(-Infinity, -Infinity), false);
  assert.equal(isMatch(-1e300, -Infinity), true);
  assert.equal(isMatch(0.5, 0.5), true);
  assert.equal(isMatch(0.4999, 0.5), false);
});

test('binary-search counts agree with a linear scan on 500 random scores with ties', () => {
  const random = seededRandom(7);
  const values = Array.from({ length: 500 }, () => (random() < 0.05 ? -Infinity : Math.round(random() * 100) / 100));
  const sorted = sortedScores(values);
  const thresholds = [-Infinity, Infinity, -1, 2, ...values.slice(0, 100), ...Array.from({ length: 100 }, () => random())];
  for (const t of thresholds) {
    const linearMatches = values.filter((v) => isMatch(v, t)).length;
    assert.equal(countAtOrAbove(sorted, t), linearMatches, `threshold ${t}`);
    assert.equal(countBelow(sorted, t), values.length - linearMatches, `threshold ${t}`);
  }
});
