import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const API_KEY_SCOPES = ['enroll', 'verify', 'identify', 'admin'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

export interface IssuedApiKey {
  /** Shown to the caller once; never stored. */
  readonly token: string;
  /** The public part, used to look the key up. */
  readonly keyId: string;
  readonly secretHash: string;
}

const TOKEN_PATTERN = /^fk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

/**
 * API keys are `fk_<keyId>_<secret>`: 16 hex characters of public id and 256 random bits of secret.
 * The secret has full entropy, so a plain SHA-256 of it is enough at rest (no password stretching);
 * comparison is constant-time.
 */
export function issueApiKey(): IssuedApiKey {
  const keyId = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { token: `fk_${keyId}_${secret}`, keyId, secretHash: hashSecret(secret) };
}

export function parseApiKey(token: string): { keyId: string; secret: string } | undefined {
  const m = TOKEN_PATTERN.exec(token);
  return m ? { keyId: m[1]!, secret: m[2]! } : undefined;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function secretMatches(secret: string, storedHash: string): boolean {
  const a = Buffer.from(hashSecret(secret), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}
