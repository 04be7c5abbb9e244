import type { AuditData } from './audit-entry.js';
import type { AuditEventType } from './audit-event-type.js';

/**
 * What a domain service needs from the audit trail: append one event with its evidence. The data
 * must never hold biometric or card data; the audit log refuses it.
 */
export interface AuditEvent {
  readonly type: AuditEventType;
  readonly tenantId: string | null;
  readonly actor: string;
  readonly data: AuditData;
}

export interface AuditSink {
  append(event: AuditEvent): Promise<unknown>;
}
