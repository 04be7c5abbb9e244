/**
 * Enrollment integrity: one subject, one person. Whoever holds an `enroll` key (or stands at a
 * kiosk) must not be able to bind their face to someone else's payment token, so a new sample is
 * admitted only when it is the same person as the subject's templates, a batch only when its
 * samples agree with each other, and a face that already belongs to another subject of the tenant
 * only on an admin's explicit, audited override. Every check decides at the calibrated threshold
 * for the enrollment target FMR (matcher/decide.ts), never at a hand-picked similarity.
 */
import { dot } from '../math/vector-math.js';
import type { MatchThreshold } from '../matcher/decide.js';
import type { FaceTemplate } from '../templates/template.js';

export interface BatchConsistency {
  /** The sample most similar to the rest (the batch's medoid); null for an empty batch. */
  readonly medoid: number | null;
  /** Positions (in the list given) of the samples that are not the medoid's person. */
  readonly inconsistent: readonly number[];
  /** Each sample's score against the medoid (1 for the medoid itself). */
  readonly scores: readonly number[];
}

/**
 * Which samples of a batch are of one person: each must match the batch's medoid (the sample
 * with the highest summed similarity to the others) at the threshold. The medoid itself counts
 * only when at least one other sample matches it, so two strangers in a batch of two are both
 * refused rather than one being picked at random. Comparing to the medoid rather than requiring
 * every pair to match keeps a batch of one person's varied photos (age, light) together while
 * refusing the odd one out.
 */
export function batchConsistency(templates: readonly FaceTemplate[], threshold: number): BatchConsistency {
  if (templates.length === 0) return { medoid: null, inconsistent: [], scores: [] };
  if (templates.length === 1) return { medoid: 0, inconsistent: [], scores: [1] };
  const similarity = templates.map((a) => templates.map((b) => dot(a.vector, b.vector)));
  let medoid = 0;
  let bestSum = -Infinity;
  similarity.forEach((row, i) => {
    const sum = row.reduce((total, s, j) => (i === j ? total : total + s), 0);
    if (sum > bestSum) {
      bestSum = sum;
      medoid = i;
    }
  });
  const scores = similarity[medoid]!.map((s, j) => (j === medoid ? 1 : s));
  const others = scores.map((s, j) => ({ s, j })).filter(({ j }) => j !== medoid);
  const medoidAlone = others.every(({ s }) => s < threshold);
  const inconsistent = scores.flatMap((s, j) => ((j === medoid ? medoidAlone : s < threshold) ? [j] : []));
  return { medoid, inconsistent, scores };
}

/** What enrollment checked, for the audit trail and the response: scores and the threshold used. */
export interface IntegrityEvidence {
  /** Best score against the subject's own templates; null for its first template. */
  readonly ownScore: number | null;
  /** Other subjects of the tenant this face matched, admitted because an admin overrode the check. */
  readonly duplicateOverride?: ReadonlyArray<{ readonly subjectId: string; readonly score: number }>;
  readonly threshold: MatchThreshold;
}
