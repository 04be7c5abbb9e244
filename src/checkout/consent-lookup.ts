import type { Consent } from '../consent/consent-store.js';

/**
 * What checkout needs from consent, and no more: the consent a subject paid under, and a mark of
 * activity so the enrollment stays out of the retention sweep. ConsentService provides it.
 */
export interface ConsentLookup {
  consentOfSubject(tenantId: string, subjectId: string): Promise<Consent>;
  touch(tenantId: string, consentId: string): Promise<void>;
}
