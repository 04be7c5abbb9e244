import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nextUp } from './next-up.js';

test('nextUp steps exactly one ulp above the argument', () => {
  assert.equal(nextUp(1), 1 + Number.EPSILON);
  assert.equal(nextUp(0), Number.MIN_VALUE);
  assert.equal(nextUp(-0), Number.MIN_VALUE);
  assert.equal(nextUp(-Number.MIN_VALUE), -0);
  assert.equal(nextUp(-1), -1 + Number.EPSILON / 2);
  assert.equal(nextUp(-Infinity), -Number.MAX_VALUE);
  assert.equal(nextUp(Number.MAX_VALUE), Infinity);
  assert.equal(nextUp(Infinity), Infinity);
  assert.ok(Number.isNaN(nextUp(NaN)));
});

test('nothing lies strictly between x and nextUp(x)', () => {
  for (const x of [0.1, 0.7, -0.3, 123.456, 1e-300, -1e300]) {
    const up = nextUp(x);
    assert.ok(up > x, `${up} > ${x}`);
    assert.ok((x + up) / 2 === x || (x + up) / 2 === up, `midpoint of ${x} and ${up} collapses onto an end`);
  }
});
