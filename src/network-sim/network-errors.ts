import { FacekeyError } from '../errors/domain-errors.js';

/** The card number or expiry cannot be tokenized. Details name the rule broken, never the number. */
export class InvalidCard extends FacekeyError {
  readonly code = 'invalid_card';
  readonly status = 422;
}

export class TokenNotFound extends FacekeyError {
  readonly code = 'token_not_found';
  readonly status = 404;
}

export class AuthorizationNotFound extends FacekeyError {
  readonly code = 'authorization_not_found';
  readonly status = 404;
}

export class InvalidWebhookUrl extends FacekeyError {
  readonly code = 'invalid_webhook_url';
  readonly status = 422;
}

/**
 * facekey's published keys could not be fetched or parsed. That is an outage between the two
 * parties, not evidence against the assertion, so no decision is taken or recorded: the caller
 * may retry the same assertion once the keys are reachable again.
 */
export class IssuerKeysUnavailable extends FacekeyError {
  readonly code = 'issuer_keys_unavailable';
  readonly status = 503;
}
