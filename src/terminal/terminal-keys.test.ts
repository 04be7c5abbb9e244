import test from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { exportTerminalPrivateKey, generateTerminalKeyPair, importTerminalPrivateKey, terminalPublicJwk } from './terminal-keys.js';
import { FacekeyClientError } from './facekey-client-error.js';

test('a private key survives export and import as PKCS#8 PEM and as JWK, and keeps its public JWK', () => {
  const { privateKey, publicJwk } = generateTerminalKeyPair();
  const pem = exportTerminalPrivateKey(privateKey);
  assert.match(pem, /^-----BEGIN PRIVATE KEY-----\n/);
  const jwk = exportTerminalPrivateKey(privateKey, 'jwk');
  assert.equal(JSON.parse(jwk).crv, 'Ed25519');
  for (const stored of [pem, jwk]) {
    const imported = importTerminalPrivateKey(stored);
    assert.deepEqual(terminalPublicJwk(imported), publicJwk);
    // The imported key signs what the registered public key verifies.
    const message = Buffer.from('facekey');
    const publicKey = createPublicKey({ key: { ...publicJwk }, format: 'jwk' });
    assert.equal(verify(null, message, publicKey, sign(null, message, imported)), true);
  }
});

test('importing refuses a key that is not an Ed25519 private key, without echoing it', () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const cases = [
    'not a key at all: secret-material-123',
    rsa.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    generateTerminalKeyPair().privateKey.export({ format: 'pem', type: 'pkcs8' }).toString().replace('PRIVATE', 'PUBLIC'),
  ];
  for (const text of cases) {
    assert.throws(
      () => importTerminalPrivateKey(text),
      (error: unknown) => error instanceof FacekeyClientError && error.code === 'invalid_key' && !error.message.includes('secret-material'),
    );
  }
});
