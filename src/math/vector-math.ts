import { InvalidArgument } from '../errors/domain-errors.js';

/**
 * Inner product of two equal-length vectors. This is the inner loop of every 1:N search, so it is
 * unrolled by four with independent accumulators: that breaks the add-after-add dependency chain
 * and lets V8 keep four additions in flight instead of one.
 */
export function dot(a: Float32Array, b: Float32Array): number {
  const length = a.length;
  if (b.length !== length) {
    throw new InvalidArgument(`dot: vectors differ in length (${length} vs ${b.length})`, {
      leftLength: length,
      rightLength: b.length,
    });
  }
  let sum0 = 0;
  let sum1 = 0;
  let sum2 = 0;
  let sum3 = 0;
  const unrolledEnd = length - (length % 4);
  let i = 0;
  for (; i < unrolledEnd; i += 4) {
    // Indices are in range by construction; the non-null assertions only satisfy noUncheckedIndexedAccess.
    sum0 += a[i]! * b[i]!;
    sum1 += a[i + 1]! * b[i + 1]!;
    sum2 += a[i + 2]! * b[i + 2]!;
    sum3 += a[i + 3]! * b[i + 3]!;
  }
  for (; i < length; i++) sum0 += a[i]! * b[i]!;
  return sum0 + sum1 + sum2 + sum3;
}

/** Euclidean length, accumulated in float64 so long float32 vectors do not lose precision. */
export function l2Norm(v: Float32Array): number {
  return Math.sqrt(dot(v, v));
}

/**
 * Returns a new unit-length copy of `v`. A zero or non-finite vector has no direction, so it is
 * refused rather than silently turned into NaNs that would poison every later comparison.
 */
export function l2Normalize(v: Float32Array): Float32Array {
  const norm = l2Norm(v);
  if (!Number.isFinite(norm) || norm === 0) {
    throw new InvalidArgument(`l2Normalize: vector norm is ${norm}, cannot normalize`, { norm });
  }
  const normalized = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) normalized[i] = v[i]! / norm;
  return normalized;
}
