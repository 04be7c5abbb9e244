import { InvalidArgument } from '../../errors/domain-errors.js';
import { nextUp } from './next-up.js';
import { countAtOrAbove, countBelow, countFailuresToEnroll } from './score-distribution.js';

/**
 * Below this many impostor scores above a threshold, the achieved FMR is dominated by sampling
 * noise (a single extra impostor moves it by 10% or more), so a rate there is flagged unreliable.
 */
export const MIN_RELIABLE_ERRORS = 10;

export interface ThresholdAtFmr {
  /** Smallest threshold whose FMR is at most the target. */
  readonly threshold: number;
  readonly achievedFmr: number;
  /** Impostor scores that still match at `threshold` (score >= threshold). */
  readonly impostorsAbove: number;
  /** False when target × impostors < MIN_RELIABLE_ERRORS: too few impostors to measure the rate. */
  readonly reliable: boolean;
}

export interface TarAtFar {
  readonly tar: number;
  readonly threshold: number;
  readonly reliable: boolean;
}

export interface EqualErrorRate {
  readonly eer: number;
  readonly threshold: number;
}

function requireScores(sorted: Float64Array, what: string): void {
  if (sorted.length === 0) throw new InvalidArgument(`${what} score set is empty; the rate is undefined`);
}

function requireRate(rate: number, what: string): void {
  if (!(rate >= 0 && rate <= 1)) throw new InvalidArgument(`${what} must be in [0, 1], got ${rate}`);
}

/** False match rate: fraction of impostor comparisons that match at `threshold`. */
export function fmrAt(impostorSorted: Float64Array, threshold: number): number {
  requireScores(impostorSorted, 'impostor');
  return countAtOrAbove(impostorSorted, threshold) / impostorSorted.length;
}

/** False non-match rate: fraction of genuine comparisons (failures to enroll included) that do not match. */
export function fnmrAt(genuineSorted: Float64Array, threshold: number): number {
  requireScores(genuineSorted, 'genuine');
  return countBelow(genuineSorted, threshold) / genuineSorted.length;
}

/**
 * How many errors a rate allows out of `n` trials. The product is nudged up by a relative 1e-12
 * because 0.29 × 100 evaluates to 28.999999999999996 and must allow 29, not 28.
 */
export function allowedErrors(rate: number, n: number): number {
  return Math.min(n, Math.floor(rate * n * (1 + 1e-12)));
}

/**
 * The smallest threshold with FMR <= targetFmr. With k = floor(target·n) impostors allowed to
 * match, the threshold goes one ulp above the (k+1)-th largest impostor score, so that score and
 * every score tied with it are excluded; ties can therefore leave fewer than k matching, never more.
 * A target of 1 allows everything and returns -Infinity (failures to enroll still never match).
 */
export function thresholdForFmr(impostorSorted: Float64Array, targetFmr: number): ThresholdAtFmr {
  requireScores(impostorSorted, 'impostor');
  requireRate(targetFmr, 'target FMR');
  const n = impostorSorted.length;
  const allowed = allowedErrors(targetFmr, n);
  const threshold = allowed >= n ? -Infinity : nextUp(impostorSorted[n - allowed - 1]!);
  const impostorsAbove = countAtOrAbove(impostorSorted, threshold);
  return {
    threshold,
    achievedFmr: impostorsAbove / n,
    impostorsAbove,
    reliable: targetFmr * n >= MIN_RELIABLE_ERRORS,
  };
}

/** True accept rate (1 − FNMR) at the threshold that achieves the requested false accept rate. */
export function tarAtFar(genuineSorted: Float64Array, impostorSorted: Float64Array, far: number): TarAtFar {
  const { threshold, reliable } = thresholdForFmr(impostorSorted, far);
  return { tar: 1 - fnmrAt(genuineSorted, threshold), threshold, reliable };
}

/**
 * The rate where FMR and FNMR are equal. Both are step functions of the threshold, so they rarely
 * meet exactly; the operating points at consecutive distinct scores are joined by straight lines
 * and the EER (and its threshold) is read off where those lines cross. One merged pass over the two
 * sorted arrays visits every distinct score, O(n). If failures to enroll keep FNMR above FMR at
 * every reachable threshold, the curves never cross and the lowest-threshold point's worse rate is
 * returned, so the EER is never reported better than it is.
 */
export function equalErrorRate(genuineSorted: Float64Array, impostorSorted: Float64Array): EqualErrorRate {
  requireScores(genuineSorted, 'genuine');
  requireScores(impostorSorted, 'impostor');
  const genuineCount = genuineSorted.length;
  const impostorCount = impostorSorted.length;
  // Pointers count the scores below the candidate threshold; failures to enroll are always below.
  let genuineBelow = countFailuresToEnroll(genuineSorted);
  let impostorsBelow = countFailuresToEnroll(impostorSorted);
  let previousThreshold = NaN;
  let previousFmr = NaN;
  let previousFnmr = NaN;

  const crossing = (threshold: number, fmr: number, fnmr: number): EqualErrorRate | undefined => {
    const gap = fnmr - fmr;
    if (gap < 0) return undefined;
    if (gap === 0) return { eer: fmr, threshold };
    if (Number.isNaN(previousFmr)) return { eer: Math.max(fmr, fnmr), threshold };
    const previousGap = previousFnmr - previousFmr;
    const along = -previousGap / (gap - previousGap);
    return {
      eer: previousFmr + along * (fmr - previousFmr),
      threshold: previousThreshold + along * (threshold - previousThreshold),
    };
  };

  let lastScore = -Infinity;
  while (genuineBelow < genuineCount || impostorsBelow < impostorCount) {
    const score = Math.min(
      genuineBelow < genuineCount ? genuineSorted[genuineBelow]! : Infinity,
      impostorsBelow < impostorCount ? impostorSorted[impostorsBelow]! : Infinity,
    );
    const fmr = (impostorCount - impostorsBelow) / impostorCount;
    const fnmr = genuineBelow / genuineCount;
    const found = crossing(score, fmr, fnmr);
    if (found) return found;
    previousThreshold = score;
    previousFmr = fmr;
    previousFnmr = fnmr;
    while (genuineBelow < genuineCount && genuineSorted[genuineBelow] === score) genuineBelow++;
    while (impostorsBelow < impostorCount && impostorSorted[impostorsBelow] === score) impostorsBelow++;
    lastScore = score;
  }
  // Above every score FMR is 0 and FNMR is 1, so the curves have crossed by here at the latest.
  return crossing(nextUp(lastScore), 0, 1)!;
}
