/**
 * What the audit trail records. Adding a type is backwards compatible; renaming one is not, since
 * exported logs keep the old name forever and their hashes cover it.
 */
export const AUDIT_EVENT_TYPES = [
  'consent.granted',
  'consent.withdrawn',
  'subject.created',
  'subject.erased',
  'enrollment',
  'verification',
  'identification',
  'checkout',
  'terminal.registered',
  'terminal.revoked',
  'token.linked',
  'token.unlinked',
  'retention.erased',
  'personalization.recorded',
  'risk_policy.changed',
  'tenant.created',
  'api_key.issued',
  'api_key.revoked',
  'engine.selected',
  'template.migrated',
  'fleet.claim_created',
  'fleet.claim_revoked',
  'fleet.device_registered',
  'fleet.credentials_rotated',
  'fleet.device_revoked',
  'fleet.device_placed',
  'fleet.twin_desired_changed',
  'kiosk.enrolled',
  'kiosk.enrollment_refused',
  'second_factor.set',
  'privacy.signed_in',
  'privacy.signed_out',
] as const;

export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

export function isAuditEventType(value: unknown): value is AuditEventType {
  return (AUDIT_EVENT_TYPES as readonly unknown[]).includes(value);
}
