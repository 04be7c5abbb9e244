/**
 * Why a terminal request was refused. Each reason has its own stable code so a terminal (and its
 * operator's dashboard) can tell a clock problem from a key problem from an attack, while every
 * one of them still refuses the request.
 */
import { FacekeyError } from '../errors/domain-errors.js';

/** The request carries no Signature / Signature-Input at all. */
export class SignatureMissing extends FacekeyError {
  readonly code = 'signature_missing';
  readonly status = 401;
}

/** Malformed signature headers, wrong tag or algorithm, a required component not covered, a body that does not match its digest, or a signature that does not verify. */
export class SignatureInvalid extends FacekeyError {
  readonly code = 'signature_invalid';
  readonly status = 401;
}

/** Past its `expires`, `created` too long ago, or `created` in the future beyond the allowed clock skew. */
export class SignatureExpired extends FacekeyError {
  readonly code = 'signature_expired';
  readonly status = 401;
}

/** This terminal already used the nonce within the signature's lifetime. */
export class ReplayDetected extends FacekeyError {
  readonly code = 'replay_detected';
  readonly status = 401;
}

/** No terminal has the signature's `keyid`. */
export class DeviceUnknown extends FacekeyError {
  readonly code = 'device_unknown';
  readonly status = 401;
}

/** The terminal exists and signed correctly, but its tenant revoked it. */
export class DeviceRevoked extends FacekeyError {
  readonly code = 'device_revoked';
  readonly status = 403;
}
