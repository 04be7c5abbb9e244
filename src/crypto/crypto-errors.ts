import { FacekeyError } from '../errors/domain-errors.js';

/**
 * A sealed value failed authentication: wrong key, wrong row binding (AAD), truncation or tampering.
 * AES-GCM cannot tell these apart, and callers must not try to — any of them means the stored bytes
 * cannot be trusted. It is the server's fault, never the client's, hence 500.
 */
export class CiphertextRejected extends FacekeyError {
  readonly code = 'ciphertext_rejected';
  readonly status = 500;
}

/** Key material (the master key or a data key) is missing, malformed or insecurely stored. */
export class KeyMaterialRejected extends FacekeyError {
  readonly code = 'key_material_rejected';
  readonly status = 500;
}
