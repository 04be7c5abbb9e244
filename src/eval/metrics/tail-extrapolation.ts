import { InvalidArgument } from '../../errors/domain-errors.js';
import { nextUp } from './next-up.js';
import { countFailuresToEnroll } from './score-distribution.js';
import { MIN_RELIABLE_ERRORS, thresholdForFmr } from './verification-rates.js';

export interface ExtrapolatedThreshold {
  readonly threshold: number;
  readonly method: 'empirical' | 'exponential-tail';
  /** Impostor scores the estimate rests on: those above the threshold (empirical) or above `tailStart` (tail fit). */
  readonly exceedances: number;
  /** Score where the fitted tail begins; null for the empirical method. */
  readonly tailStart: number | null;
}

/** The tail fit starts at this FMR, or higher when that would leave fewer than MIN_TAIL_EXCEEDANCES. */
const TAIL_START_FMR = 1e-3;
/** Roughly a 7% standard error on the fitted scale (1/√200). */
const MIN_TAIL_EXCEEDANCES = 200;

/**
 * The threshold for a target FMR, extrapolated beyond the data when the impostor set is too small
 * to measure it (target × n < MIN_RELIABLE_ERRORS, e.g. FMR 1e-6 from 5 million impostors).
 *
 * Assumption (peaks over threshold): above a high quantile u of the impostor distribution, the
 * excesses X − u are exponential — the Pickands–Balkema–de Haan limit with shape 0 — so
 *   P(X >= t) ≈ (m / n) · exp(−(t − u) / σ),   σ = mean excess (the exponential MLE),
 * where m scores of n lie above u. The tail starts at FMR max(1e-3, 200/n), so at least 200
 * exceedances inform σ. Similarity scores are bounded (cosine <= 1), so the true tail is usually
 * lighter than exponential; the exponential then overstates far-tail mass and the extrapolated
 * threshold errs high — a stricter threshold than needed, the safe direction for a payment system.
 * It is still a model, not a measurement: report it as extrapolated, never as an achieved FMR.
 */
export function extrapolatedThresholdForFmr(impostorSorted: Float64Array, targetFmr: number): ExtrapolatedThreshold {
  const empirical = thresholdForFmr(impostorSorted, targetFmr);
  if (empirical.reliable) {
    return { threshold: empirical.threshold, method: 'empirical', exceedances: empirical.impostorsAbove, tailStart: null };
  }
  if (!(targetFmr > 0)) {
    throw new InvalidArgument('an exponential tail never reaches FMR 0; use a positive target FMR');
  }
  const n = impostorSorted.length;
  const finiteCount = n - countFailuresToEnroll(impostorSorted);
  // u is itself an observed score, so at most finiteCount − 1 scores can lie above it.
  const exceedances = Math.min(finiteCount - 1, Math.ceil(Math.max(TAIL_START_FMR, MIN_TAIL_EXCEEDANCES / n) * n));
  if (exceedances < MIN_RELIABLE_ERRORS) {
    throw new InvalidArgument(`only ${finiteCount} finite impostor scores; too few to fit a tail`, { finiteCount });
  }
  const tailStart = impostorSorted[n - exceedances - 1]!;
  let excessSum = 0;
  for (let i = n - exceedances; i < n; i++) excessSum += impostorSorted[i]! - tailStart;
  const scale = excessSum / exceedances;
  const tailFmr = exceedances / n;
  // A zero scale means the whole tail is one tied value: nothing can be extrapolated beyond it.
  const threshold = scale > 0 ? tailStart + scale * Math.log(tailFmr / targetFmr) : nextUp(impostorSorted[n - 1]!);
  return { threshold, method: 'exponential-tail', exceedances, tailStart };
}
