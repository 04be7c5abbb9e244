/**
 * A new Ed25519 key pair for a device or terminal: the private key as a KeyObject and the public
 * key as its JWK (RFC 8037).
 *
 * Both halves leave the generator encoded (DER) and the private key is imported again, so no
 * KeyObject we hand out shares its key data with the generator's job. Node 20 can deadlock when a
 * key fresh from `generateKeyPairSync` is exported as JWK: the export holds the key's mutex while
 * it allocates, the allocation runs the garbage collector, and the collector finalizes the finished
 * key-generation job, whose destructor waits for the same mutex — forever. Seen here: a device
 * worker of `facekey fleet simulate` stopped for good after a few thousand keys (main thread in
 * `futex_wait` under `ExportJWKEdKey` → `~KeyGenJob`).
 */
import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { ed25519PublicJwk, type Ed25519PublicJwk } from './ed25519-public-key.js';

export interface Ed25519KeyPair {
  readonly privateKey: KeyObject;
  readonly publicJwk: Ed25519PublicJwk;
}

/** An Ed25519 SubjectPublicKeyInfo is a fixed 12-byte header followed by the raw 32-byte key. */
const SPKI_HEADER_BYTES = 12;

export function generateEd25519KeyPair(): Ed25519KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519', {
    privateKeyEncoding: { type: 'pkcs8', format: 'der' },
    publicKeyEncoding: { type: 'spki', format: 'der' },
  });
  const raw = publicKey.subarray(SPKI_HEADER_BYTES);
  if (raw.length !== 32) throw new Error(`unexpected Ed25519 SPKI length ${publicKey.length}`);
  return {
    privateKey: createPrivateKey({ key: privateKey, format: 'der', type: 'pkcs8' }),
    publicJwk: ed25519PublicJwk(raw.toString('base64url')),
  };
}
