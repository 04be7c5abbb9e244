import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey, sign, verify } from 'node:crypto';
import { generateEd25519KeyPair } from './ed25519-key-pair.js';
import { ed25519PublicKeyFromJwk, ed25519PublicKeyObject } from './ed25519-public-key.js';

test('the public JWK is the private key’s own public half, and it verifies what the private key signs', () => {
  const { privateKey, publicJwk } = generateEd25519KeyPair();
  assert.equal(privateKey.asymmetricKeyType, 'ed25519');
  assert.equal(privateKey.type, 'private');
  assert.deepEqual(publicJwk, { kty: 'OKP', crv: 'Ed25519', x: createPublicKey(privateKey).export({ format: 'jwk' }).x });
  assert.equal(ed25519PublicKeyFromJwk(publicJwk), publicJwk.x);
  const message = Buffer.from('facekey');
  assert.ok(verify(null, message, ed25519PublicKeyObject(publicJwk.x), sign(null, message, privateKey)));
});

test('every pair is new', () => {
  const keys = new Set(Array.from({ length: 50 }, () => generateEd25519KeyPair().publicJwk.x));
  assert.equal(keys.size, 50);
});
