import { verify } from 'node:crypto';
import { ed25519PublicKeyObject } from './ed25519-public-key.js';

/**
 * The one Ed25519 check behind terminal request signatures: `signature` over `message` by the
 * terminal key stored as raw base64url. Anything that is not a 64-byte signature is refused
 * without calling into OpenSSL. Run against the Wycheproof Ed25519 vectors in its test.
 */
export function ed25519Verifies(publicKeyBase64url: string, message: Uint8Array, signature: Uint8Array): boolean {
  if (signature.length !== 64) return false;
  try {
    return verify(null, message, ed25519PublicKeyObject(publicKeyBase64url), signature);
  } catch {
    return false;
  }
}
