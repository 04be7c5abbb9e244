import { InvalidArgument } from '../../errors/domain-errors.js';
import { nextUp } from './next-up.js';
import { countFailuresToEnroll, isMatch, sortedScores } from './score-distribution.js';

export interface PairFold {
  readonly scores: Float64Array;
  /** 1 where the pair shows the same person, 0 otherwise; parallel to `scores`. */
  readonly same: Uint8Array;
}

export interface FoldAccuracy {
  readonly accuracy: number;
  /** Chosen on the other folds only, so the fold's own accuracy is an unbiased estimate. */
  readonly threshold: number;
}

export interface KFoldAccuracy {
  readonly mean: number;
  /**
   * Population standard deviation of the per-fold accuracies (divides by the fold count, as
   * numpy's np.std does in the common LFW evaluation scripts). Some LFW reports quote the standard
   * error of the mean instead; that is std / √(folds − 1) in these terms.
   */
  readonly std: number;
  readonly perFold: FoldAccuracy[];
}

/**
 * The threshold maximising accuracy over one set of labelled scores. Candidates are -Infinity
 * (every finite score matches), the midpoints between consecutive distinct finite scores, and
 * +Infinity (nothing matches); failures to enroll never match, whatever the threshold. The first
 * (lowest) best candidate wins ties, so the choice is deterministic.
 */
export function bestAccuracyThreshold(genuineSorted: Float64Array, impostorSorted: Float64Array): { threshold: number; accuracy: number } {
  const genuineCount = genuineSorted.length;
  const impostorCount = impostorSorted.length;
  let genuineBelow = countFailuresToEnroll(genuineSorted);
  let impostorsBelow = countFailuresToEnroll(impostorSorted);
  let bestThreshold = -Infinity;
  let bestCorrect = -1;
  let previousScore = -Infinity;
  const consider = (threshold: number): void => {
    const correct = genuineCount - genuineBelow + impostorsBelow;
    if (correct > bestCorrect) {
      bestCorrect = correct;
      bestThreshold = threshold;
    }
  };
  while (genuineBelow < genuineCount || impostorsBelow < impostorCount) {
    const score = Math.min(
      genuineBelow < genuineCount ? genuineSorted[genuineBelow]! : Infinity,
      impostorsBelow < impostorCount ? impostorSorted[impostorsBelow]! : Infinity,
    );
    // Halving first cannot overflow; for adjacent doubles the midpoint rounds down onto the lower
    // score, which would then match, so it is pushed one ulp up.
    consider(previousScore === -Infinity ? -Infinity : Math.max(previousScore / 2 + score / 2, nextUp(previousScore)));
    while (genuineBelow < genuineCount && genuineSorted[genuineBelow] === score) genuineBelow++;
    while (impostorsBelow < impostorCount && impostorSorted[impostorsBelow] === score) impostorsBelow++;
    previousScore = score;
  }
  consider(Infinity);
  return { threshold: bestThreshold, accuracy: bestCorrect / (genuineCount + impostorCount) };
}

function scoresOfClass(folds: readonly PairFold[], skipFold: number, same: 0 | 1): Float64Array {
  let count = 0;
  folds.forEach((fold, f) => {
    if (f !== skipFold) for (let i = 0; i < fold.same.length; i++) if (fold.same[i] === same) count++;
  });
  const selected = new Float64Array(count);
  let next = 0;
  folds.forEach((fold, f) => {
    if (f !== skipFold) for (let i = 0; i < fold.same.length; i++) if (fold.same[i] === same) selected[next++] = fold.scores[i]!;
  });
  return sortedScores(selected);
}

function accuracyAt(fold: PairFold, threshold: number): number {
  let correct = 0;
  for (let i = 0; i < fold.scores.length; i++) {
    if (isMatch(fold.scores[i]!, threshold) === (fold.same[i] === 1)) correct++;
  }
  return correct / fold.scores.length;
}

function validateFolds(folds: readonly PairFold[]): void {
  if (folds.length < 2) throw new InvalidArgument(`k-fold accuracy needs at least 2 folds, got ${folds.length}`);
  folds.forEach((fold, f) => {
    if (fold.scores.length !== fold.same.length) {
      throw new InvalidArgument(`fold ${f}: ${fold.scores.length} scores but ${fold.same.length} labels`, { fold: f });
    }
    if (fold.scores.length === 0) throw new InvalidArgument(`fold ${f} is empty`, { fold: f });
    for (let i = 0; i < fold.same.length; i++) {
      if (fold.same[i]! > 1) throw new InvalidArgument(`fold ${f}: label ${i} is ${fold.same[i]}, expected 0 or 1`, { fold: f });
    }
  });
}

/**
 * The LFW "unrestricted" protocol: for each fold, pick the accuracy-maximising threshold on the
 * union of the other folds, then measure accuracy on the held-out fold at that threshold. Pairs
 * whose score is -Infinity (failure to enroll) are predicted non-matches, so they count against
 * same-person pairs rather than vanishing from the denominator.
 */
export function kFoldAccuracy(folds: readonly PairFold[]): KFoldAccuracy {
  validateFolds(folds);
  const perFold = folds.map((fold, f): FoldAccuracy => {
    const { threshold } = bestAccuracyThreshold(scoresOfClass(folds, f, 1), scoresOfClass(folds, f, 0));
    return { accuracy: accuracyAt(fold, threshold), threshold };
  });
  const mean = perFold.reduce((sum, fold) => sum + fold.accuracy, 0) / perFold.length;
  const variance = perFold.reduce((sum, fold) => sum + (fold.accuracy - mean) ** 2, 0) / perFold.length;
  return { mean, std: Math.sqrt(variance), perFold };
}
