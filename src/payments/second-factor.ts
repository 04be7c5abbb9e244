import { createHmac, hkdfSync } from 'node:crypto';
import { InvalidArgument } from '../errors/domain-errors.js';
import type { SecondFactorKind } from './payment-store.js';

const FORMATS: Record<SecondFactorKind, RegExp> = { pin: /^\d{4,6}$/, phone_last4: /^\d{4}$/ };

/**
 * A second factor is stored only as a keyed lookup value: deterministic, so a checkout can narrow
 * the gallery to the people it fits with one indexed query, and keyed (HMAC under a key derived
 * from the master key), so a stolen database cannot be brute-forced over 10,000 PINs offline.
 */
export class SecondFactorLookup {
  private readonly key: Buffer;

  constructor(masterKey: Buffer) {
    this.key = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'facekey/second-factor-lookup', 32));
  }

  of(tenantId: string, kind: SecondFactorKind, value: string): string {
    if (!FORMATS[kind].test(value)) {
      throw new InvalidArgument(kind === 'pin' ? 'a PIN is 4 to 6 digits' : 'phone_last4 is the last 4 digits of a phone number');
    }
    return createHmac('sha256', this.key).update(`${tenantId}\u0000${kind}\u0000${value}`).digest('base64url');
  }
}
