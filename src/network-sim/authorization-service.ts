import { randomBytes } from 'node:crypto';
import type { AssertionVerifier } from './assertion-verifier.js';
import { spendsAssertion } from './spends-assertion.js';
import { declineReasons, type AuthorizationRequest } from './decline-reasons.js';
import type { AuthorizationRecord, NetworkStore } from './network-store.js';
import type { AuthorizationDecidedEvent } from './webhook-dispatcher.js';

export interface AuthorizationDependencies {
  readonly store: NetworkStore;
  readonly verify: AssertionVerifier;
  readonly cardLimit: number;
  readonly clock: () => Date;
  readonly onDecided: (event: AuthorizationDecidedEvent) => void;
}

/**
 * Verify (async, outside any lock), then decide and record in one write transaction: the jti
 * check, the token lookup and the insert cannot interleave with another authorization's, so of
 * two concurrent requests carrying the same jti exactly one consumes it. Every decision is
 * recorded, declines included.
 */
export async function authorize(deps: AuthorizationDependencies, request: AuthorizationRequest): Promise<AuthorizationRecord> {
  const assertion = await deps.verify(request.assertion);
  const claims = assertion.status === 'invalid' ? undefined : assertion.claims;
  const record = deps.store.atomically(() => {
    const now = deps.clock();
    const jtiAlreadyConsumed = claims ? deps.store.jtiConsumed(claims.jti) : false;
    const token = claims ? deps.store.getToken(claims.token_ref) : undefined;
    const reasons = declineReasons({ assertion, request, jtiAlreadyConsumed, token, cardLimit: deps.cardLimit, now });
    const authorization: AuthorizationRecord = {
      id: 'auth_' + randomBytes(16).toString('base64url'),
      // An approval or the network's own decline uses up the jti (single use: no corrected retry);
      // a presentation that does not fit the assertion does not (see spends-assertion.ts).
      consumedJti: claims && !jtiAlreadyConsumed && spendsAssertion(reasons) ? claims.jti : null,
      presentedJti: claims?.jti ?? null,
      tokenRef: claims?.token_ref ?? null,
      amount: request.amount,
      currency: request.currency,
      merchant: request.merchant,
      merchantRef: request.merchantRef,
      decision: reasons.length === 0 ? 'approved' : 'declined',
      reasons,
      createdAt: now.toISOString(),
    };
    deps.store.insertAuthorization(authorization);
    return authorization;
  });
  deps.onDecided({
    type: 'authorization.decided',
    authorizationId: record.id,
    decision: record.decision,
    reasons: record.reasons,
    merchant: record.merchant,
    merchantRef: record.merchantRef,
    amount: record.amount,
    currency: record.currency,
    at: record.createdAt,
  });
  return record;
}
