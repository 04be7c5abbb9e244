import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { ASSERTION_AUDIENCE, ASSERTION_TYPE, type AssertionClaims } from './assertion-claims.js';
import type { SigningKeys } from '../signing/signing-keys.js';

export type AssertionBinding = Omit<AssertionClaims, 'iss' | 'aud' | 'iat' | 'exp' | 'jti'>;

export interface IssuedAssertion {
  readonly jws: string;
  readonly jti: string;
  readonly expiresAt: string;
}

/** Signs biometric authentication assertions: short-lived (the terminal forwards it at once) and single use. */
export class AssertionIssuer {
  constructor(
    private readonly keys: SigningKeys,
    private readonly issuer: string,
    private readonly ttlSeconds = 120,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async issue(binding: AssertionBinding): Promise<IssuedAssertion> {
    const key = await this.keys.current();
    const iat = Math.floor(this.clock().getTime() / 1000);
    const jti = randomUUID();
    const claims: AssertionClaims = { ...binding, iss: this.issuer, aud: ASSERTION_AUDIENCE, iat, exp: iat + this.ttlSeconds, jti };
    const jws = await new SignJWT({ ...claims })
      .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: ASSERTION_TYPE })
      .sign(key.privateKey);
    return { jws, jti, expiresAt: new Date((iat + this.ttlSeconds) * 1000).toISOString() };
  }
}
