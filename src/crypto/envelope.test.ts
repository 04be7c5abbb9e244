import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { CiphertextRejected, KeyMaterialRejected } from './crypto-errors.js';
import { generateDataKey, openImage, openTemplate, sealImage, sealTemplate, unwrapDataKey, wrapDataKey } from './envelope.js';

const AAD = 'tenant-a/subject-1/template-1';

describe('envelope', () => {
  it('round-trips a template and a wrapped data key', () => {
    const masterKey = randomBytes(32);
    const dataKey = generateDataKey();
    const plaintext = randomBytes(100);
    const wrapped = wrapDataKey(masterKey, dataKey, 'tenant-a/subject-1');
    assert.deepEqual(unwrapDataKey(masterKey, wrapped, 'tenant-a/subject-1'), dataKey);
    const sealed = sealTemplate(dataKey, plaintext, AAD);
    assert.equal(sealed[0], 1, 'format version');
    assert.equal(sealed.length, 1 + 12 + 16 + plaintext.length);
    assert.deepEqual(openTemplate(dataKey, sealed, AAD), plaintext);
  });

  it('uses a fresh IV per seal, so equal plaintexts give different ciphertexts', () => {
    const dataKey = generateDataKey();
    const plaintext = randomBytes(32);
    assert.notDeepEqual(sealTemplate(dataKey, plaintext, AAD), sealTemplate(dataKey, plaintext, AAD));
  });

  it('rejects the wrong key', () => {
    const sealed = sealTemplate(generateDataKey(), randomBytes(40), AAD);
    assert.throws(() => openTemplate(generateDataKey(), sealed, AAD), CiphertextRejected);
    const wrapped = wrapDataKey(randomBytes(32), generateDataKey());
    assert.throws(() => unwrapDataKey(randomBytes(32), wrapped), CiphertextRejected);
  });

  it('rejects a ciphertext moved to another row (wrong AAD)', () => {
    const dataKey = generateDataKey();
    const sealed = sealTemplate(dataKey, randomBytes(40), AAD);
    assert.throws(() => openTemplate(dataKey, sealed, 'tenant-a/subject-1/template-2'), CiphertextRejected);
    const masterKey = randomBytes(32);
    const wrapped = wrapDataKey(masterKey, dataKey, 'tenant-a/subject-1');
    assert.throws(() => unwrapDataKey(masterKey, wrapped, 'tenant-b/subject-1'), CiphertextRejected);
  });

  it('keeps wrapped keys and templates apart even under the same key', () => {
    const key = generateDataKey();
    const wrapped = wrapDataKey(key, generateDataKey(), 'x');
    assert.throws(() => openTemplate(key, wrapped, 'x'), CiphertextRejected);
  });

  it('keeps retained images and templates apart even under the same key and binding', () => {
    const key = generateDataKey();
    const image = randomBytes(64);
    const sealedImage = sealImage(key, image, AAD);
    assert.deepEqual(openImage(key, sealedImage, AAD), image);
    assert.throws(() => openTemplate(key, sealedImage, AAD), CiphertextRejected);
    assert.throws(() => openImage(key, sealTemplate(key, randomBytes(64), AAD), AAD), CiphertextRejected);
  });

  it('rejects any flipped byte, truncation and an unknown version', () => {
    const dataKey = generateDataKey();
    const sealed = sealTemplate(dataKey, randomBytes(24), AAD);
    for (let i = 0; i < sealed.length; i++) {
      const tampered = Buffer.from(sealed);
      tampered[i] = tampered[i]! ^ 0x01;
      assert.throws(() => openTemplate(dataKey, tampered, AAD), CiphertextRejected, `byte ${i}`);
    }
    assert.throws(() => openTemplate(dataKey, sealed.subarray(0, 20), AAD), CiphertextRejected);
    assert.throws(() => openTemplate(dataKey, sealed.subarray(0, sealed.length - 1), AAD), CiphertextRejected);
  });

  it('refuses keys of the wrong length', () => {
    assert.throws(() => sealTemplate(randomBytes(16), randomBytes(8), AAD), KeyMaterialRejected);
    assert.throws(() => wrapDataKey(randomBytes(32), randomBytes(31)), KeyMaterialRejected);
  });
});
