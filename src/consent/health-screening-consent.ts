import type { ConsentStore } from './consent-store.js';

/**
 * Whether the subject's consent is active and includes the separate `health_screening` purpose:
 * the only case in which a body-temperature reading may be linked to the person.
 */
export function healthScreeningConsent(consents: ConsentStore): (tenantId: string, subjectId: string) => Promise<boolean> {
  return async (tenantId, subjectId) => {
    const consent = await consents.findBySubject(tenantId, subjectId);
    return consent !== undefined && consent.withdrawnAt === null && consent.purposes.includes('health_screening');
  };
}
