/**
 * Wycheproof ECDSA P-256 / SHA-256 (IEEE P1363 signatures, as JWS ES256 uses) against the
 * simulator's assertion verification. jose 6 verifies ES256 with WebCrypto over the JWS signing
 * input; a Wycheproof message cannot be made a JWS signing input, so the vectors run (1) through
 * the same primitive jose calls, with the key imported by jose, and (2) spliced into assertions
 * that the simulator's own verifier must refuse cleanly, without throwing, whatever the bytes.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import { importJWK, createLocalJWKSet, type JWTVerifyGetKey } from 'jose';
import { createAssertionVerifier } from './assertion-verifier.js';
import { ASSERTION_AUDIENCE, ASSERTION_TYPE } from '../checkout/assertion-claims.js';
import { wycheproofGroups, wycheproofMissingReason } from '../../test/kit/wycheproof.js';

const FILE = 'ecdsa_secp256r1_sha256_p1363_test.json';
const ISSUER = 'http://facekey.test';
const b64u = (bytes: Uint8Array | string) => Buffer.from(bytes).toString('base64url');

/** The group's key as a JWK, from its affine coordinates (some groups carry no publicKeyJwk). */
function jwkOf(publicKey: Record<string, unknown>): Record<string, string> {
  const coordinate = (hex: unknown) => b64u(Buffer.from(BigInt('0x' + String(hex)).toString(16).padStart(64, '0'), 'hex'));
  return { kty: 'EC', crv: 'P-256', x: coordinate(publicKey.wx), y: coordinate(publicKey.wy) };
}

test('Wycheproof ECDSA P-256 SHA-256 P1363: the ES256 check accepts every valid vector and refuses every invalid one', { skip: wycheproofMissingReason(FILE) }, async () => {
  const wrong: string[] = [];
  const counts = { valid: 0, invalid: 0, acceptable: 0 };
  for (const group of wycheproofGroups(FILE)) {
    const key = (await importJWK({ ...jwkOf(group.publicKey), alg: 'ES256' }, 'ES256')) as webcrypto.CryptoKey;
    for (const vector of group.tests) {
      counts[vector.result]++;
      const ok = await webcrypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, key, Buffer.from(vector.sig, 'hex'), Buffer.from(vector.msg, 'hex'));
      if (vector.result === 'valid' && !ok) wrong.push(`tcId ${vector.tcId} valid but refused (${vector.comment})`);
      if (vector.result === 'invalid' && ok) wrong.push(`tcId ${vector.tcId} invalid but accepted (${vector.comment})`);
    }
  }
  assert.deepEqual(wrong, []);
  assert.ok(counts.valid > 50 && counts.invalid > 50, JSON.stringify(counts));
});

test("Wycheproof signatures spliced into assertions: the simulator's verifier answers `invalid`, never throws", { skip: wycheproofMissingReason(FILE) }, async () => {
  const now = new Date();
  const iat = Math.floor(now.getTime() / 1000);
  const claims = b64u(JSON.stringify({ iss: ISSUER, aud: ASSERTION_AUDIENCE, iat, exp: iat + 60, jti: 'j', token_ref: 't', amount: 1, currency: 'EUR', merchant: 'm', merchant_ref: 'r', liveness: { method: 'burst', passed: true } }));
  let checked = 0;
  for (const group of wycheproofGroups(FILE)) {
    const kid = 'wycheproof';
    const keys = createLocalJWKSet({ keys: [{ ...jwkOf(group.publicKey), kid, alg: 'ES256' }] }) as JWTVerifyGetKey;
    const verify = createAssertionVerifier(keys, ISSUER, () => now);
    const header = b64u(JSON.stringify({ alg: 'ES256', kid, typ: ASSERTION_TYPE }));
    for (const vector of group.tests) {
      const check = await verify(`${header}.${claims}.${b64u(Buffer.from(vector.sig, 'hex'))}`);
      assert.equal(check.status, 'invalid', `tcId ${vector.tcId}: a signature over another message must not verify`);
      checked++;
    }
  }
  assert.ok(checked > 200);
});
