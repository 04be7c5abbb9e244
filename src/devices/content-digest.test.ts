import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { contentDigest, contentDigestMatches } from './content-digest.js';

const body = Buffer.from('{"hello": "world"}');

describe('Content-Digest', () => {
  it('matches the RFC 9530 example', () => {
    assert.equal(contentDigest(body), 'sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:');
  });

  it('accepts the digest of the exact bytes, also alongside other algorithms', () => {
    assert.ok(contentDigestMatches(contentDigest(body), body));
    const sha512 = createHash('sha512').update(body).digest('base64');
    assert.ok(contentDigestMatches(`sha-512=:${sha512}:, ${contentDigest(body)}, md5=:AAAA:`, body));
    assert.ok(contentDigestMatches(contentDigest(new Uint8Array()), new Uint8Array()));
  });

  it('refuses other bytes, a wrong second digest, a missing sha-256, and malformed headers', () => {
    assert.ok(!contentDigestMatches(contentDigest(body), Buffer.from('{"hello":"world"}')));
    assert.ok(!contentDigestMatches(`${contentDigest(body)}, sha-512=:AAAA:`, body));
    const sha512 = createHash('sha512').update(body).digest('base64');
    assert.ok(!contentDigestMatches(`sha-512=:${sha512}:`, body));
    assert.ok(!contentDigestMatches('sha-256="X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE="', body));
    assert.ok(!contentDigestMatches('sha-256=:not base64', body));
    assert.ok(!contentDigestMatches('', body));
  });
});
