import type { DeclineReason } from './decline-reasons.js';

/**
 * Reasons that say the presentation does not fit the assertion (someone else's amount, currency or
 * merchant), not that the network refuses the assertion itself. A mismatched presentation must not
 * burn the genuine assertion: the merchant holding it can still present it correctly.
 */
const PRESENTATION_FAULTS: ReadonlySet<DeclineReason> = new Set<DeclineReason>(['amount_mismatch', 'currency_mismatch', 'merchant_mismatch']);

/**
 * Whether a decision uses up the assertion's jti: an approval does, and so does a decline for the
 * network's own reasons (token, card, liveness, funds, expiry), so a corrected retry cannot follow
 * it. A decline that includes a presentation fault does not, nor does an invalid assertion (its
 * claims are not trustworthy) or a replay (already spent).
 */
export function spendsAssertion(reasons: readonly DeclineReason[]): boolean {
  if (reasons.includes('assertion_invalid') || reasons.includes('assertion_replayed')) return false;
  return !reasons.some((reason) => PRESENTATION_FAULTS.has(reason));
}
