import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { crc32 } from './crc32.js';

test('crc32 equals zlib for the standard check value, empty input and random buffers', () => {
  assert.equal(crc32(new TextEncoder().encode('123456789')), 0xcbf43926);
  assert.equal(crc32(new Uint8Array(0)), zlibCrc32(new Uint8Array(0)));
  for (const length of [1, 3, 17, 255, 256, 2077, 65_536]) {
    const bytes = new Uint8Array(randomBytes(length));
    assert.equal(crc32(bytes), zlibCrc32(bytes), `length ${length}`);
  }
});
