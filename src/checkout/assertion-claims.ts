/**
 * The biometric authentication assertion: the wire contract between facekey (issuer) and a card
 * network (verifier). A compact JWS, ES256, header `{ alg: 'ES256', kid, typ: 'facekey-assertion+jwt' }`,
 * signed with a key published at facekey's `GET /.well-known/jwks.json`. Short-lived and single
 * use: the network must refuse a second authorization carrying the same `jti`.
 *
 * It holds no card data and no biometric data: only an opaque network token reference and the
 * evidence of the decision.
 */
export const ASSERTION_TYPE = 'facekey-assertion+jwt';
export const ASSERTION_AUDIENCE = 'facekey-network';

export interface AssertionClaims {
  /** facekey's issuer id (its public base URL). */
  readonly iss: string;
  readonly aud: typeof ASSERTION_AUDIENCE;
  /** Seconds since the epoch. */
  readonly iat: number;
  /** iat + at most 120 s. */
  readonly exp: number;
  /** Unique per assertion; the network keeps it to refuse reuse. */
  readonly jti: string;
  /** Opaque network token reference the consumer linked (never a card number). */
  readonly token_ref: string;
  /** Minor units (cents): 1250 = 12.50. */
  readonly amount: number;
  /** ISO 4217, upper case. */
  readonly currency: string;
  /** facekey tenant id of the merchant. */
  readonly merchant: string;
  /** The merchant's own reference for this checkout. */
  readonly merchant_ref: string;
  /** facekey terminal id that signed the checkout request. */
  readonly terminal: string;
  /** The terminal request's nonce: binds the assertion to exactly one signed request. */
  readonly nonce: string;
  readonly engine: { readonly id: string; readonly version: string };
  readonly score: number;
  readonly threshold: number;
  readonly target_fmr: number;
  readonly liveness: { readonly method: 'burst' | 'single_frame' | 'device'; readonly passed: boolean };
  /** The second factor checked, if the risk policy asked for one. */
  readonly second_factor: 'pin' | 'phone_last4' | null;
}
