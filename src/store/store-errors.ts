import { FacekeyError } from '../errors/domain-errors.js';

export class TenantNotFound extends FacekeyError {
  readonly code = 'tenant_not_found';
  readonly status = 404;
}

/** Also what another tenant's subject looks like: the store never confirms it exists. */
export class SubjectNotFound extends FacekeyError {
  readonly code = 'subject_not_found';
  readonly status = 404;
}

export class ExternalRefTaken extends FacekeyError {
  readonly code = 'external_ref_taken';
  readonly status = 409;
}

export class ApiKeyIdTaken extends FacekeyError {
  readonly code = 'api_key_id_taken';
  readonly status = 409;
}

export class TemplateLimitReached extends FacekeyError {
  readonly code = 'template_limit_reached';
  readonly status = 409;
}
