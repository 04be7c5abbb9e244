import assert from 'node:assert/strict';
import { KeyObject, verify } from 'node:crypto';
import { describe, it } from 'node:test';
import { signTerminalRequest } from '../../src/devices/terminal-client.js';
import { signatureBase } from '../../src/devices/signature-base.js';
import { signBrowserRequest } from './signed-fetch';

// The browser kiosk must sign byte for byte as the Node terminal client does: same base, same
// headers; Ed25519 is deterministic, so even the signatures are equal for the same key.
describe('browser request signing (WebCrypto)', () => {
  const now = new Date('2026-11-30T10:00:00Z');
  const nonce = 'AAAAAAAAAAAAAAAAAAAAAA';
  const request = {
    method: 'POST',
    url: 'http://127.0.0.1:8080/v1/checkout?lane=3',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ amount: 1250, currency: 'EUR', merchantRef: 'r-1', frames: ['AAAA', 'BBBB', 'CCCC'] }),
  };

  it('produces the same content-digest, signature-input and signature as src/devices/terminal-client.ts', async () => {
    const keys = (await crypto.subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify'])) as CryptoKeyPair;
    const browser = await signBrowserRequest(request, { terminalId: 'term-1', privateKey: keys.privateKey }, { now, nonce });
    const node = signTerminalRequest(request, { terminalId: 'term-1', privateKey: KeyObject.from(keys.privateKey) }, { now, nonce });
    assert.deepEqual(browser, node);
  });

  it('signs a body-less GET without content-type, and the signature verifies over the base', async () => {
    const keys = (await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])) as CryptoKeyPair;
    const get = { method: 'get', url: 'http://localhost:8080/v1/terminals' };
    const signed = await signBrowserRequest(get, { terminalId: 't', privateKey: keys.privateKey }, { now, nonce });
    assert.equal(signed['content-digest'], 'sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:');
    assert.ok(!signed['signature-input'].includes('content-type'));
    const params = signed['signature-input'].replace(/^terminal=/, '');
    const covered = ['@method', '@authority', '@path', '@query', 'content-digest'];
    const base = signatureBase(covered, params, {
      method: 'GET',
      authority: 'localhost:8080',
      path: '/v1/terminals',
      query: '',
      headers: { 'content-digest': signed['content-digest'] },
    });
    const signature = Buffer.from(signed.signature.replace(/^terminal=:|:$/g, ''), 'base64');
    assert.ok(verify(null, Buffer.from(base), KeyObject.from(keys.publicKey), signature));
  });

  it('refuses to sign a body without a content-type, like the Node client', async () => {
    const keys = (await crypto.subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify'])) as CryptoKeyPair;
    await assert.rejects(signBrowserRequest({ method: 'POST', url: 'http://h/x', body: '{}' }, { terminalId: 't', privateKey: keys.privateKey }), /content-type/);
  });
});
