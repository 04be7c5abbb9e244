import { SignJWT } from 'jose';
import type { SigningKeys } from '../signing/signing-keys.js';
import type { Consent } from './consent-store.js';
import type { ErasureReceipt } from './consent-store.js';

/**
 * Consent and erasure receipts signed with the platform key (verifiable with the same JWKS as
 * assertions), so the consumer holds proof of what they agreed to, and of when it was erased,
 * that does not depend on trusting facekey's database later.
 */
export class ReceiptSigner {
  constructor(
    private readonly keys: SigningKeys,
    private readonly issuer: string,
  ) {}

  consent(consent: Consent, textSha256: string): Promise<string> {
    return this.sign('facekey-consent-receipt+jwt', {
      consent_id: consent.id,
      tenant: consent.tenantId,
      text_version: consent.textVersion,
      text_sha256: textSha256,
      purposes: [...consent.purposes],
      granted_at: consent.grantedAt,
      device: consent.deviceId,
      jurisdiction: consent.jurisdiction,
    });
  }

  /** A withdrawal of every purpose, signed when the consumer asks for their receipts. */
  withdrawal(consent: Consent): Promise<string> {
    return this.sign('facekey-withdrawal-receipt+jwt', {
      consent_id: consent.id,
      tenant: consent.tenantId,
      purposes_left: [...consent.purposes],
      withdrawn_at: consent.withdrawnAt,
    });
  }

  erasure(receipt: ErasureReceipt): Promise<string> {
    return this.sign('facekey-erasure-receipt+jwt', {
      receipt_id: receipt.id,
      consent_id: receipt.consentId,
      tenant: receipt.tenantId,
      reason: receipt.reason,
      erased_at: receipt.erasedAt,
      templates_erased: receipt.templatesErased,
      tokens_unlinked: receipt.tokensUnlinked,
      orders_erased: receipt.ordersErased,
    });
  }

  private async sign(typ: string, claims: Record<string, unknown>): Promise<string> {
    const key = await this.keys.current();
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ })
      .setIssuer(this.issuer)
      .setIssuedAt()
      .sign(key.privateKey);
  }
}
