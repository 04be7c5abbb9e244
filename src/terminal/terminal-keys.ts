/**
 * A terminal's Ed25519 key: generated on the device, stored there (PKCS#8 PEM or a private JWK),
 * and only its public JWK ever leaves it, to be registered by the tenant's admin.
 */
import { createPrivateKey, createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { Ed25519PublicJwk } from '../devices/ed25519-public-key.js';
import { FacekeyClientError } from './facekey-client-error.js';

export { generateTerminalKeyPair, type TerminalKeyPair } from '../devices/terminal-client.js';
export type { Ed25519PublicJwk } from '../devices/ed25519-public-key.js';

export type PrivateKeyFormat = 'pkcs8-pem' | 'jwk';

/** The public JWK to register for a private key (what `generateTerminalKeyPair` also returns). */
export function terminalPublicJwk(privateKey: KeyObject): Ed25519PublicJwk {
  requireEd25519Private(privateKey);
  const { x } = createPublicKey(privateKey).export({ format: 'jwk' });
  return { kty: 'OKP', crv: 'Ed25519', x: x! };
}

/** The private key as text to store on the device: PKCS#8 PEM, or a private JWK (with "d") as JSON. */
export function exportTerminalPrivateKey(privateKey: KeyObject, format: PrivateKeyFormat = 'pkcs8-pem'): string {
  requireEd25519Private(privateKey);
  if (format === 'jwk') return JSON.stringify(privateKey.export({ format: 'jwk' }));
  return privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
}

/** Reads a private key stored by `exportTerminalPrivateKey`, in either format. */
export function importTerminalPrivateKey(text: string): KeyObject {
  let key: KeyObject;
  try {
    const trimmed = text.trim();
    key = trimmed.startsWith('{')
      ? createPrivateKey({ key: JSON.parse(trimmed) as JsonWebKey, format: 'jwk' })
      : createPrivateKey({ key: trimmed, format: 'pem' });
  } catch {
    // Never echo the text: it is a private key, or someone's attempt at one.
    throw new FacekeyClientError('invalid_key', 'not a PKCS#8 PEM or JWK private key');
  }
  requireEd25519Private(key);
  return key;
}

function requireEd25519Private(key: KeyObject): void {
  if (key.type !== 'private' || key.asymmetricKeyType !== 'ed25519') {
    throw new FacekeyClientError(
      'invalid_key',
      `a terminal key must be an Ed25519 private key, not ${key.asymmetricKeyType ?? key.type} (${key.type})`,
    );
  }
}
