import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { sha256Hex } from './sha256.js';

test('sha256Hex equals node:crypto for text and for buffers around the block boundaries', () => {
  assert.equal(sha256Hex('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  assert.equal(sha256Hex(''), createHash('sha256').update('').digest('hex'));
  assert.equal(sha256Hex('ünïcode ✓'), createHash('sha256').update('ünïcode ✓').digest('hex'));
  for (const length of [1, 55, 56, 63, 64, 65, 119, 120, 1000, 100_000]) {
    const bytes = new Uint8Array(randomBytes(length));
    assert.equal(sha256Hex(bytes), createHash('sha256').update(bytes).digest('hex'), `length ${length}`);
  }
});
