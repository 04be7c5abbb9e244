import { SERVICE_DEFAULTS } from '../config/service-config.js';

/**
 * Decides whether a face is enough to pay. The expected number of false-positive identifications
 * for one probe is about (templates searched) × (calibrated FMR at the threshold); when that
 * exceeds the tenant's risk budget, or two enrolled people both match (look-alikes), or the amount
 * is over the face-only limit, or the probe came with no liveness evidence, the shopper must add a
 * second factor, which narrows the search to the few people it fits.
 */
export interface RiskSettings {
  /** Largest acceptable expected false-positive identifications per face-only checkout. */
  readonly riskBudget: number;
  /** Minor units; above this a second factor is always required. */
  readonly faceOnlyAmountLimit: number;
  readonly maxSubjectFailures: number;
  readonly maxTerminalFailures: number;
  readonly lockoutSeconds: number;
  /** The target FMR whose calibrated threshold decides a match at checkout. */
  readonly targetFmr: number;
  /**
   * Whether a face probe that answered no liveness session (a single photo, or a burst judged by
   * its geometry alone) may still be approved on the face alone. Off by default: without a
   * challenge the shopper adds a second factor ('liveness_session_required').
   */
  readonly allowSessionlessLiveness: boolean;
}

export const DEFAULT_RISK_SETTINGS: RiskSettings = {
  riskBudget: SERVICE_DEFAULTS.riskBudget,
  faceOnlyAmountLimit: SERVICE_DEFAULTS.faceOnlyAmountLimit,
  maxSubjectFailures: 5,
  maxTerminalFailures: 20,
  lockoutSeconds: 15 * 60,
  targetFmr: SERVICE_DEFAULTS.targetFmr,
  allowSessionlessLiveness: false,
};

export type CheckoutReason =
  | 'no_match'
  | 'spoof_suspected'
  | 'second_factor_required'
  | 'second_factor_mismatch'
  | 'limit_exceeded'
  | 'look_alike'
  | 'risk_budget_exceeded'
  | 'liveness_unverified'
  | 'ambiguous_match'
  | 'subject_locked'
  | 'second_factor_locked'
  | 'terminal_locked'
  | 'consent_missing'
  | 'no_payment_token'
  | 'quality_too_low'
  | 'face_not_found'
  | 'multiple_faces'
  | 'invalid_image'
  | 'liveness_session_required'
  | 'liveness_session_unknown'
  | 'liveness_session_expired'
  | 'liveness_session_used'
  | 'challenge_not_met';

export interface RiskInput {
  /** Templates the probe was compared with: the whole gallery, or the narrowed set. */
  readonly templatesSearched: number;
  /** The calibrated FMR of the threshold used. */
  readonly fmr: number;
  /** Distinct people above the threshold, best first. */
  readonly candidates: ReadonlyArray<{ subjectId: string; score: number }>;
  readonly amount: number;
  /** The candidates were narrowed by a second factor the shopper gave. */
  readonly secondFactorChecked: boolean;
  /** Whether the probe carried liveness evidence from facekey's own PAD (false for device templates). */
  readonly livenessVerified: boolean;
  /** Whether the probe performed a liveness session's random challenge (challenge-response). */
  readonly livenessChallenged: boolean;
}

export type RiskDecision =
  | {
      readonly outcome: 'approve';
      readonly subjectId: string;
      readonly reasons: readonly CheckoutReason[];
      readonly expectedFalseMatches: number;
    }
  | {
      readonly outcome: 'second_factor_required' | 'decline';
      readonly reasons: readonly CheckoutReason[];
      readonly expectedFalseMatches: number;
    };

export function assessRisk(input: RiskInput, settings: RiskSettings): RiskDecision {
  const expectedFalseMatches = input.templatesSearched * input.fmr;
  if (input.candidates.length === 0) {
    return { outcome: 'decline', reasons: [input.secondFactorChecked ? 'second_factor_mismatch' : 'no_match'], expectedFalseMatches };
  }
  if (input.secondFactorChecked) {
    // Narrowed by the factor and still two people: nothing more the shopper can add resolves it.
    if (input.candidates.length > 1) return { outcome: 'decline', reasons: ['ambiguous_match'], expectedFalseMatches };
    return { outcome: 'approve', subjectId: input.candidates[0]!.subjectId, reasons: [], expectedFalseMatches };
  }
  const needs: CheckoutReason[] = [];
  if (expectedFalseMatches > settings.riskBudget) needs.push('risk_budget_exceeded');
  if (input.candidates.length > 1) needs.push('look_alike');
  if (input.amount > settings.faceOnlyAmountLimit) needs.push('limit_exceeded');
  if (!input.livenessVerified) needs.push('liveness_unverified');
  else if (!input.livenessChallenged && !settings.allowSessionlessLiveness) needs.push('liveness_session_required');
  if (needs.length > 0) return { outcome: 'second_factor_required', reasons: ['second_factor_required', ...needs], expectedFalseMatches };
  return { outcome: 'approve', subjectId: input.candidates[0]!.subjectId, reasons: [], expectedFalseMatches };
}
