import type { AssertionCheck } from './assertion-verifier.js';
import { cardExpired, parseExpiry } from './card-validation.js';
import type { TokenRecord } from './network-store.js';

/** Every reason the network can decline with. Order is the order they are reported in. */
export const DECLINE_REASONS = [
  'assertion_invalid',
  'assertion_expired',
  'assertion_replayed',
  'amount_mismatch',
  'currency_mismatch',
  'merchant_mismatch',
  'token_unknown',
  'token_inactive',
  'card_expired',
  'liveness_not_passed',
  'insufficient_funds',
] as const;
export type DeclineReason = (typeof DECLINE_REASONS)[number];

export interface AuthorizationRequest {
  readonly assertion: string;
  readonly amount: number;
  readonly currency: string;
  readonly merchant: string;
  readonly merchantRef: string;
}

export interface DecisionFacts {
  readonly assertion: AssertionCheck;
  readonly request: AuthorizationRequest;
  readonly jtiAlreadyConsumed: boolean;
  /** The token the claims name, as the vault has it; undefined when unknown. */
  readonly token: TokenRecord | undefined;
  readonly cardLimit: number;
  readonly now: Date;
}

/**
 * Every reason that applies, not just the first: a merchant debugging a decline should see all of
 * them at once. An approval is the empty list. An assertion whose signature did not hold says
 * nothing trustworthy, so it is the only reason then.
 */
export function declineReasons(facts: DecisionFacts): DeclineReason[] {
  if (facts.assertion.status === 'invalid') return ['assertion_invalid'];
  const { claims } = facts.assertion;
  const { request, token } = facts;
  const reasons: DeclineReason[] = [];
  if (facts.assertion.status === 'expired') reasons.push('assertion_expired');
  if (facts.jtiAlreadyConsumed) reasons.push('assertion_replayed');
  if (claims.amount !== request.amount) reasons.push('amount_mismatch');
  if (claims.currency !== request.currency) reasons.push('currency_mismatch');
  if (claims.merchant !== request.merchant || claims.merchant_ref !== request.merchantRef) reasons.push('merchant_mismatch');
  if (!token) reasons.push('token_unknown');
  else {
    if (token.status !== 'active') reasons.push('token_inactive');
    if (cardExpired(parseExpiry(token.expiry), facts.now)) reasons.push('card_expired');
  }
  if (!claims.liveness.passed) reasons.push('liveness_not_passed');
  if (request.amount > facts.cardLimit) reasons.push('insufficient_funds');
  return reasons;
}
