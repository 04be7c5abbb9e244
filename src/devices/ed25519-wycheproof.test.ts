import test from 'node:test';
import assert from 'node:assert/strict';
import { ed25519Verifies } from './ed25519-verify.js';
import { ed25519PublicKeyFromJwk } from './ed25519-public-key.js';
import { wycheproofGroups, wycheproofMissingReason } from '../../test/kit/wycheproof.js';

const FILE = 'ed25519_test.json';

test('Wycheproof Ed25519: terminal signature verification refuses every invalid vector and accepts every valid one', { skip: wycheproofMissingReason(FILE) }, () => {
  const outcomes = { valid: 0, invalid: 0, acceptable: 0 };
  const wrong: string[] = [];
  for (const group of wycheproofGroups(FILE)) {
    const raw = Buffer.from(String(group.publicKey.pk), 'hex').toString('base64url');
    // The key as a terminal would register it: registration's own checks must let these keys in.
    const registered = ed25519PublicKeyFromJwk({ kty: 'OKP', crv: 'Ed25519', x: raw });
    for (const vector of group.tests) {
      const accepted = ed25519Verifies(registered, Buffer.from(vector.msg, 'hex'), Buffer.from(vector.sig, 'hex'));
      outcomes[vector.result]++;
      if (vector.result === 'valid' && !accepted) wrong.push(`tcId ${vector.tcId} valid but refused (${vector.comment})`);
      if (vector.result === 'invalid' && accepted) wrong.push(`tcId ${vector.tcId} invalid but accepted (${vector.comment})`);
    }
  }
  assert.deepEqual(wrong, []);
  assert.ok(outcomes.valid > 50 && outcomes.invalid > 50, JSON.stringify(outcomes));
});
