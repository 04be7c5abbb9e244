import type { PresentationScores } from '../analysis/face-analysis.js';

/** Per-frame presentation-attack thresholds; both are configuration, not constants of the code. */
export interface PresentationPolicy {
  /** Minimum score of Human's `antispoof` model (printed photos, screens). */
  readonly minAntispoof: number;
  /** Minimum score of Human's `liveness` model. */
  readonly minLiveness: number;
}

export const DEFAULT_PRESENTATION_POLICY: PresentationPolicy = {
  minAntispoof: 0.3,
  minLiveness: 0.5,
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
