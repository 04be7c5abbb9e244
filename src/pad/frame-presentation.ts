import type { PresentationScores } from '../analysis/face-analysis.js';

/** Per-frame presentation-attack thresholds; both are configuration, not constants of the code. */
export interface PresentationPolicy {
  /** Minimum score of Human's `antispoof` model (printed photos, screens). */
  readonly minAntispoof: number;
  /** Minimum score of Human's `liveness` model. */
  readonly minLiveness: number;
}

/**
 * Floors set from bona fide captures, for a bona fide rejection rate (BPCER) near 1%: on 301 LFW
 * faces antispoof p1 = 0.35 and liveness p1 = 0.29; on the 64 deepface photos 0.26 and 0.40. A floor
 * of 0.5 would refuse 13–17% of real people on antispoof alone. We have no attack samples, so the
 * attack acceptance rate (APCER) of these floors is unmeasured; the burst check is the stronger gate.
 */
export const DEFAULT_PRESENTATION_POLICY: PresentationPolicy = {
  minAntispoof: 0.3,
  minLiveness: 0.3,
};

export interface PresentationVerdict {
  readonly passed: boolean;
  readonly reasons: string[];
  readonly scores: PresentationScores;
  readonly policy: PresentationPolicy;
}

/** A single still frame: the models' scores against the policy. Bursts use `burst-liveness`. */
export function assessFramePresentation(
  scores: PresentationScores,
  policy: PresentationPolicy = DEFAULT_PRESENTATION_POLICY,
): PresentationVerdict {
  const reasons: string[] = [];
  if (scores.antispoof < policy.minAntispoof) reasons.push('spoof_score_low');
  if (scores.liveness < policy.minLiveness) reasons.push('liveness_score_low');
  return { passed: reasons.length === 0, reasons, scores, policy };
}
