import test from 'node:test';
import assert from 'node:assert/strict';
import { issueApiKey, parseApiKey, secretMatches } from './api-key.js';

test('an issued key parses back and its secret matches only its own hash', () => {
  const key = issueApiKey();
  const parsed = parseApiKey(key.token);
  assert.ok(parsed);
  assert.equal(parsed.keyId, key.keyId);
  assert.ok(secretMatches(parsed.secret, key.secretHash));
  assert.ok(!secretMatches(parsed.secret, issueApiKey().secretHash));
  assert.ok(!key.secretHash.includes(parsed.secret), 'the stored hash does not contain the secret');
});

test('malformed tokens do not parse', () => {
  for (const bad of ['', 'fk_', 'Bearer x', 'fk_short_secret', `fk_${'a'.repeat(16)}_${'b'.repeat(10)}`])
    assert.equal(parseApiKey(bad), undefined, bad);
});

test('keys are unique', () => {
  const ids = new Set(Array.from({ length: 200 }, () => issueApiKey().keyId));
  assert.equal(ids.size, 200);
});
