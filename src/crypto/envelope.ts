/**
 * Envelope encryption: every subject gets its own random data key, which seals that subject's
 * templates; the data key is stored only wrapped (sealed) by the master key. Deleting the wrapped
 * data key makes every copy of the subject's ciphertexts — including ones in backups — unreadable.
 *
 * Sealed format, version 1:  version(1) | iv(12) | tag(16) | ciphertext
 * AES-256-GCM with a fresh random IV per seal. Random 96-bit IVs are safe for far more than the
 * number of seals one key will ever see here (one data key seals a handful of templates).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { CiphertextRejected, KeyMaterialRejected } from './crypto-errors.js';

const FORMAT_VERSION = 1;
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + IV_BYTES + TAG_BYTES;

// Domain separation: a wrapped data key, a template and a retained face image can never be opened
// as one another, even if someone copies bytes between columns sealed under the same key.
const DATA_KEY_PURPOSE = 'facekey/data-key/';
const TEMPLATE_PURPOSE = 'facekey/template/';
const IMAGE_PURPOSE = 'facekey/image/';
const SIGNING_KEY_PURPOSE = 'facekey/signing-key/';

export const ENVELOPE_KEY_BYTES = KEY_BYTES;

export function generateDataKey(): Buffer {
  return randomBytes(KEY_BYTES);
}

/** `boundTo` names the owner (e.g. `${tenantId}/${subjectId}`) so a wrapped key copied to another row fails to unwrap. */
export function wrapDataKey(masterKey: Buffer, dataKey: Buffer, boundTo = ''): Buffer {
  assertKey(dataKey, 'data key');
  return seal(masterKey, dataKey, DATA_KEY_PURPOSE + boundTo);
}

export function unwrapDataKey(masterKey: Buffer, wrapped: Uint8Array, boundTo = ''): Buffer {
  const dataKey = open(masterKey, wrapped, DATA_KEY_PURPOSE + boundTo);
  if (dataKey.length !== KEY_BYTES) throw new CiphertextRejected('unwrapped data key has the wrong length');
  return dataKey;
}

/** `aad` binds the ciphertext to its row, e.g. `${tenantId}/${subjectId}/${templateId}`. */
export function sealTemplate(dataKey: Buffer, plaintext: Uint8Array, aad: string): Buffer {
  return seal(dataKey, plaintext, TEMPLATE_PURPOSE + aad);
}

export function openTemplate(dataKey: Buffer, sealed: Uint8Array, aad: string): Buffer {
  return open(dataKey, sealed, TEMPLATE_PURPOSE + aad);
}

/** A retained enrollment image, sealed with its subject's data key; `aad` binds it to its row and template. */
export function sealImage(dataKey: Buffer, plaintext: Uint8Array, aad: string): Buffer {
  return seal(dataKey, plaintext, IMAGE_PURPOSE + aad);
}

export function openImage(dataKey: Buffer, sealed: Uint8Array, aad: string): Buffer {
  return open(dataKey, sealed, IMAGE_PURPOSE + aad);
}

/** A platform signing key (assertions, receipts), sealed by the master key and bound to its key id. */
export function sealSigningKey(masterKey: Buffer, privateKey: Uint8Array, kid: string): Buffer {
  return seal(masterKey, privateKey, SIGNING_KEY_PURPOSE + kid);
}

export function openSigningKey(masterKey: Buffer, sealed: Uint8Array, kid: string): Buffer {
  return open(masterKey, sealed, SIGNING_KEY_PURPOSE + kid);
}

function seal(key: Buffer, plaintext: Uint8Array, aad: string): Buffer {
  assertKey(key, 'encryption key');
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.of(FORMAT_VERSION), iv, cipher.getAuthTag(), ciphertext]);
}

function open(key: Buffer, sealed: Uint8Array, aad: string): Buffer {
  assertKey(key, 'decryption key');
  const bytes = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
  if (bytes.length < HEADER_BYTES) throw new CiphertextRejected('sealed value is truncated');
  if (bytes[0] !== FORMAT_VERSION) throw new CiphertextRejected('sealed value has an unknown format version', { version: bytes[0] });
  const iv = bytes.subarray(1, 1 + IV_BYTES);
  const tag = bytes.subarray(1 + IV_BYTES, HEADER_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  decipher.setAuthTag(tag);
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  try {
    return Buffer.concat([decipher.update(bytes.subarray(HEADER_BYTES)), decipher.final()]);
  } catch {
    throw new CiphertextRejected('sealed value failed authentication (wrong key, wrong binding or tampered)');
  }
}

function assertKey(key: Buffer, what: string): void {
  if (key.length !== KEY_BYTES) throw new KeyMaterialRejected(`${what} must be ${KEY_BYTES} bytes`, { length: key.length });
}
