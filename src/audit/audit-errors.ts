import { FacekeyError } from '../errors/domain-errors.js';

/**
 * Audit data that could carry biometric or card data. Status 500: the caller built its evidence
 * wrongly, which no client request can fix. The message and details name where the problem is,
 * never the value, which is exactly what must not be copied anywhere.
 */
export class AuditDataRefused extends FacekeyError {
  readonly code = 'audit_data_refused';
  readonly status = 500;
}
