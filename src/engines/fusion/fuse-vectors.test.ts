import test from 'node:test';
import assert from 'node:assert/strict';
import { fuseVectors } from './fuse-vectors.js';
import { dot, l2Normalize } from '../../math/vector-math.js';

function random(n: number, seed: number): Float32Array {
  let s = seed;
  return l2Normalize(Float32Array.from({ length: n }, () => ((s = (s * 16807) % 2147483647) / 2147483647) * 2 - 1));
}

test('the fused dot product is the weighted mean of the component cosines', () => {
  const a = [random(8, 1), random(5, 2)];
  const b = [random(8, 3), random(5, 4)];
  const weights = [0.7, 0.3];
  const fused = dot(fuseVectors(a, weights), fuseVectors(b, weights));
  const expected = 0.7 * dot(a[0]!, b[0]!) + 0.3 * dot(a[1]!, b[1]!);
  assert.ok(Math.abs(fused - expected) < 1e-6, `${fused} vs ${expected}`);
});

test('fused templates of unit vectors are unit vectors', () => {
  const v = fuseVectors([random(16, 5), random(4, 6)], [2, 6]);
  assert.ok(Math.abs(dot(v, v) - 1) < 1e-6);
  assert.equal(v.length, 20);
});

test('refuses a weight count that does not match', () => {
  assert.throws(() => fuseVectors([random(4, 1)], [0.5, 0.5]), RangeError);
});
