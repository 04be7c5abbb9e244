/**
 * Checkout decision reasons in plain words. The record is typed over the service's own reason
 * list, so a reason added in src/checkout/risk-policy.ts fails the type check until it has a text.
 */
import type { CheckoutReason } from '../../src/checkout/risk-policy.js';

const REASON_KEYS: Readonly<Record<CheckoutReason, string>> = {
  no_match: 'reason.no_match',
  spoof_suspected: 'reason.spoof_suspected',
  second_factor_required: 'reason.second_factor_required',
  second_factor_mismatch: 'reason.second_factor_mismatch',
  limit_exceeded: 'reason.limit_exceeded',
  look_alike: 'reason.look_alike',
  risk_budget_exceeded: 'reason.risk_budget_exceeded',
  liveness_unverified: 'reason.liveness_unverified',
  ambiguous_match: 'reason.ambiguous_match',
  subject_locked: 'reason.subject_locked',
  second_factor_locked: 'reason.second_factor_locked',
  terminal_locked: 'reason.terminal_locked',
  consent_missing: 'reason.consent_missing',
  no_payment_token: 'reason.no_payment_token',
  quality_too_low: 'reason.quality_too_low',
  face_not_found: 'reason.face_not_found',
  multiple_faces: 'reason.multiple_faces',
  invalid_image: 'reason.invalid_image',
  liveness_session_required: 'reason.liveness_session_required',
  liveness_session_unknown: 'reason.liveness_session_unknown',
  liveness_session_expired: 'reason.liveness_session_expired',
  liveness_session_used: 'reason.liveness_session_used',
  challenge_not_met: 'reason.challenge_not_met',
};

export function reasonKey(reason: string): string {
  return (REASON_KEYS as Readonly<Record<string, string>>)[reason] ?? 'reason.unknown';
}

export function allReasonKeys(): readonly string[] {
  return [...Object.values(REASON_KEYS), 'reason.unknown'];
}

/** Challenge actions (src/pad/challenge-evaluation.ts CHALLENGE_ACTIONS) as prompts. */
export function challengeKey(action: string): string {
  return `challenge.${action}`;
}

/** Money in minor units shown in the kiosk's language. */
export function formatMoney(minor: number, currency: string, lang: string): string {
  return new Intl.NumberFormat(lang, { style: 'currency', currency }).format(minor / 100);
}

/** "12.50" or "12,50" → 1250; undefined for anything that is not a positive amount with at most 2 decimals. */
export function parseAmount(text: string): number | undefined {
  const normalized = text.trim().replace(',', '.');
  if (!/^\d{1,9}(\.\d{1,2})?$/.test(normalized)) return undefined;
  const [whole, fraction = ''] = normalized.split('.');
  const minor = Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
  return minor > 0 ? minor : undefined;
}
