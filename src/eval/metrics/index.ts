export {
  FAILURE_TO_ENROLL_SCORE,
  sortedScores,
  lowerBound,
  countAtOrAbove,
  countBelow,
  countFailuresToEnroll,
  isMatch,
} from './score-distribution.js';
export { nextUp } from './next-up.js';
export {
  MIN_RELIABLE_ERRORS,
  allowedErrors,
  fmrAt,
  fnmrAt,
  thresholdForFmr,
  tarAtFar,
  equalErrorRate,
  type ThresholdAtFmr,
  type TarAtFar,
  type EqualErrorRate,
} from './verification-rates.js';
export { extrapolatedThresholdForFmr, type ExtrapolatedThreshold } from './tail-extrapolation.js';
export { kFoldAccuracy, bestAccuracyThreshold, type PairFold, type FoldAccuracy, type KFoldAccuracy } from './k-fold-accuracy.js';
export { detCurvePoints, renderDetSvg, renderDetPng, type DetPoint, type DetCurve, type DetPlotOptions } from './det-curve.js';
export { identificationMetrics, type IdentificationScores, type IdentificationMetrics, type FnirAtFpir } from './identification.js';
