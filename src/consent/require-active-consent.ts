import { ConsentMissing } from '../errors/domain-errors.js';
import type { Consent, ConsentStore } from './consent-store.js';
import type { ConsentPurpose } from './consent-texts.js';

/** Throws ConsentMissing unless the consent exists in the tenant, is not withdrawn and covers `purpose`. */
export async function requireActiveConsent(
  consents: ConsentStore,
  tenantId: string,
  consentId: string,
  purpose: ConsentPurpose,
): Promise<Consent> {
  const consent = await consents.get(tenantId, consentId);
  if (!consent || consent.withdrawnAt) throw new ConsentMissing('no active consent record with this id; enrollment needs one');
  if (!consent.purposes.includes(purpose)) throw new ConsentMissing(`the consent does not cover the "${purpose}" purpose`);
  return consent;
}
