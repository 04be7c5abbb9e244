import { errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { ASSERTION_AUDIENCE, ASSERTION_TYPE, type AssertionClaims } from '../checkout/assertion-claims.js';
import { IssuerKeysUnavailable } from './network-errors.js';

/**
 * What the network may conclude from an assertion. `expired` still carries claims: jose checks
 * lifetimes only after the signature, typ, issuer and audience held, so they are facekey's.
 */
export type AssertionCheck =
  | { readonly status: 'valid'; readonly claims: AssertionClaims }
  | { readonly status: 'expired'; readonly claims: AssertionClaims }
  | { readonly status: 'invalid' };

/** The contract: exp is at most 120 s after iat. */
const MAX_LIFETIME_SECONDS = 120;
/** facekey and the network run on different hosts; a few seconds of clock skew is not an attack. */
const CLOCK_TOLERANCE_SECONDS = 5;

/** jose errors that condemn the assertion itself; any other failure is about reaching the keys. */
const ASSERTION_FAULTS = new Set<string>([
  errors.JWSInvalid.code,
  errors.JWTInvalid.code,
  errors.JWSSignatureVerificationFailed.code,
  errors.JWTClaimValidationFailed.code,
  errors.JOSEAlgNotAllowed.code,
  errors.JOSENotSupported.code,
  errors.JWKSNoMatchingKey.code,
  errors.JWKSMultipleMatchingKeys.code,
]);

export type AssertionVerifier = (assertion: string) => Promise<AssertionCheck>;

export function createAssertionVerifier(keys: JWTVerifyGetKey, issuer: string, clock: () => Date): AssertionVerifier {
  return async (assertion) => {
    try {
      const { payload } = await jwtVerify(assertion, keys, {
        algorithms: ['ES256'],
        typ: ASSERTION_TYPE,
        audience: ASSERTION_AUDIENCE,
        issuer,
        requiredClaims: ['iat', 'exp', 'jti'],
        maxTokenAge: MAX_LIFETIME_SECONDS,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        currentDate: clock(),
      });
      const claims = asClaims(payload);
      return claims ? { status: 'valid', claims } : { status: 'invalid' };
    } catch (error) {
      if (error instanceof errors.JWTExpired) {
        const claims = asClaims(error.payload);
        return claims ? { status: 'expired', claims } : { status: 'invalid' };
      }
      if (error instanceof errors.JOSEError && ASSERTION_FAULTS.has(error.code)) return { status: 'invalid' };
      throw new IssuerKeysUnavailable('could not obtain facekey verification keys');
    }
  };
}

/** A correctly signed token is still refused unless it has the contract's shape. */
function asClaims(p: JWTPayload): AssertionClaims | undefined {
  const c = p as Record<string, unknown>;
  const liveness = c.liveness as Record<string, unknown> | null | undefined;
  const ok =
    c.aud === ASSERTION_AUDIENCE &&
    typeof c.iat === 'number' &&
    typeof c.exp === 'number' &&
    c.exp - c.iat <= MAX_LIFETIME_SECONDS &&
    isText(c.jti) &&
    isText(c.token_ref) &&
    Number.isSafeInteger(c.amount) &&
    (c.amount as number) > 0 &&
    typeof c.currency === 'string' &&
    /^[A-Z]{3}$/.test(c.currency) &&
    isText(c.merchant) &&
    isText(c.merchant_ref) &&
    typeof liveness === 'object' &&
    liveness !== null &&
    typeof liveness.passed === 'boolean';
  return ok ? (p as unknown as AssertionClaims) : undefined;
}

function isText(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}
