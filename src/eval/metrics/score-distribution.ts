import { InvalidArgument } from '../../errors/domain-errors.js';

/**
 * How a comparison that could not be made is scored: no face was found, so no template exists.
 * It must count as a non-match at every threshold, so it is never silently dropped from the rates.
 */
export const FAILURE_TO_ENROLL_SCORE = -Infinity;

/**
 * A copy of `scores` sorted ascending, ready for the binary searches below. Rejects NaN and
 * +Infinity: NaN breaks the ordering the searches rely on, and +Infinity would match at every
 * threshold, which no real comparison can do.
 */
export function sortedScores(scores: ArrayLike<number>): Float64Array {
  const sorted = Float64Array.from(scores);
  for (let i = 0; i < sorted.length; i++) {
    const score = sorted[i]!;
    if (Number.isNaN(score) || score === Infinity) {
      throw new InvalidArgument(`score ${i} is ${score}; scores must be finite or -Infinity (failure to enroll)`, { index: i });
    }
  }
  return sorted.sort();
}

/** Index of the first score >= `value` in an ascending array (its length if there is none). */
export function lowerBound(sorted: Float64Array, value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Failure-to-enroll scores must not match even at a threshold of -Infinity, where `score >= t` would
 * otherwise hold; raising such a threshold to the lowest finite double keeps every finite score
 * matching and every -Infinity score not.
 */
function matchingThreshold(threshold: number): number {
  return threshold === -Infinity ? -Number.MAX_VALUE : threshold;
}

/** How many scores match at `threshold` (score >= threshold; -Infinity never matches). */
export function countAtOrAbove(sorted: Float64Array, threshold: number): number {
  return sorted.length - lowerBound(sorted, matchingThreshold(threshold));
}

/** How many scores do not match at `threshold`; always `sorted.length - countAtOrAbove(...)`. */
export function countBelow(sorted: Float64Array, threshold: number): number {
  return lowerBound(sorted, matchingThreshold(threshold));
}

/** How many failure-to-enroll scores a sorted array starts with. */
export function countFailuresToEnroll(sorted: Float64Array): number {
  return lowerBound(sorted, -Number.MAX_VALUE);
}

/** The single-comparison form of the rule the counts above apply. */
export function isMatch(score: number, threshold: number): boolean {
  return score > FAILURE_TO_ENROLL_SCORE && score >= threshold;
}
