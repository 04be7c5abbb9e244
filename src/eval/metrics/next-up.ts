const scratchFloat = new Float64Array(1);
const scratchBits = new BigUint64Array(scratchFloat.buffer);

/**
 * The smallest double strictly greater than `x` (Java's Math.nextUp). Thresholds are placed "just
 * above" an observed score with this rather than with a fixed epsilon, because a fixed epsilon is
 * either too coarse (it skips over other scores) or too fine (it vanishes when added to the score).
 */
export function nextUp(x: number): number {
  if (Number.isNaN(x) || x === Infinity) return x;
  if (x === 0) return Number.MIN_VALUE; // covers -0 as well
  scratchFloat[0] = x;
  // IEEE-754 doubles are sign-magnitude: stepping the bit pattern moves one ulp away from zero,
  // so positive numbers step up and negative numbers step down towards zero.
  scratchBits[0] = x > 0 ? scratchBits[0]! + 1n : scratchBits[0]! - 1n;
  return scratchFloat[0]!;
}
