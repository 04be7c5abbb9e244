import assert from 'node:assert/strict';
import { createPrivateKey, sign } from 'node:crypto';
import { describe, it } from 'node:test';
import { componentValue, MissingComponent, signatureBase, signatureParams, type HttpRequestParts } from './signature-base.js';

// RFC 9421 Appendix B.2.6: a request signed with test-key-ed25519 (Appendix B.1.4).
const RFC_KEY = createPrivateKey({
  key: { kty: 'OKP', crv: 'Ed25519', d: 'n4Ni-HpISpVObnQMW0wOhCKROaIKqKtW_2ZYb2p9KcU', x: 'JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs' },
  format: 'jwk',
});
const RFC_REQUEST: HttpRequestParts = {
  method: 'POST',
  authority: 'example.com',
  path: '/foo',
  query: '?param=Value&Pet=dog',
  headers: {
    host: 'example.com',
    date: 'Tue, 20 Apr 2021 02:07:55 GMT',
    'content-type': 'application/json',
    'content-digest': 'sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:',
    'content-length': '18',
  },
};
const RFC_COVERED = ['date', '@method', '@path', '@authority', 'content-type', 'content-length'];

describe('RFC 9421 signature base', () => {
  it('reproduces the RFC 9421 B.2.6 signature base and Ed25519 signature', () => {
    const params = signatureParams(
      RFC_COVERED,
      new Map<string, string | number>([
        ['created', 1618884473],
        ['keyid', 'test-key-ed25519'],
      ]),
    );
    const base = signatureBase(RFC_COVERED, params, RFC_REQUEST);
    assert.equal(
      base,
      [
        '"date": Tue, 20 Apr 2021 02:07:55 GMT',
        '"@method": POST',
        '"@path": /foo',
        '"@authority": example.com',
        '"content-type": application/json',
        '"content-length": 18',
        '"@signature-params": ("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519"',
      ].join('\n'),
    );
    assert.equal(
      sign(null, Buffer.from(base), RFC_KEY).toString('base64'),
      'wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==',
    );
  });

  it('derives components as RFC 9421 §2.2 says', () => {
    const request: HttpRequestParts = { method: 'post', authority: 'Example.COM:8443', path: '', query: '', headers: {} };
    assert.equal(componentValue('@method', request), 'post');
    assert.equal(componentValue('@authority', request), 'example.com:8443');
    assert.equal(componentValue('@path', request), '/');
    assert.equal(componentValue('@query', request), '?');
    assert.equal(componentValue('@query', { ...request, query: 'a=1' }), '?a=1');
    assert.equal(componentValue('@query', RFC_REQUEST), '?param=Value&Pet=dog');
    assert.equal(componentValue('@target-uri', request), undefined);
  });

  it('trims header values and joins repeated ones with ", "', () => {
    const request: HttpRequestParts = { ...RFC_REQUEST, headers: { 'x-list': ['  a ', 'b  '], 'x-one': '  v  ' } };
    assert.equal(componentValue('x-list', request), 'a, b');
    assert.equal(componentValue('x-one', request), 'v');
    assert.equal(componentValue('X-One', request), undefined);
  });

  it('refuses a covered component the request lacks or one carrying a line break', () => {
    assert.throws(() => signatureBase(['x-absent'], '()', RFC_REQUEST), MissingComponent);
    assert.throws(() => signatureBase(['@path'], '()', { ...RFC_REQUEST, path: '/a\n"@method": GET' }), MissingComponent);
  });
});
