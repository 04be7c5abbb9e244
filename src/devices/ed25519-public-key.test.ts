import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidArgument } from '../errors/domain-errors.js';
import { ed25519PublicKeyFromJwk, ed25519PublicKeyObject } from './ed25519-public-key.js';
import { generateTerminalKeyPair } from './terminal-client.js';

// RFC 9421 Appendix B.1.4 (test-key-ed25519), public half.
const RFC_9421_X = 'JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs';
const jwk = (x: string) => ({ kty: 'OKP', crv: 'Ed25519', x });

describe('ed25519PublicKeyFromJwk', () => {
  it('accepts real Ed25519 public keys and returns their raw base64url', () => {
    const { publicJwk } = generateTerminalKeyPair();
    assert.equal(ed25519PublicKeyFromJwk(publicJwk), publicJwk.x);
    assert.equal(ed25519PublicKeyFromJwk({ ...jwk(RFC_9421_X), kid: 'k', use: 'sig' }), RFC_9421_X);
    assert.equal(ed25519PublicKeyObject(RFC_9421_X).asymmetricKeyType, 'ed25519');
  });

  const refused: [string, unknown][] = [
    ['not an object', 'JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs'],
    ['an array', [RFC_9421_X]],
    ['another curve', { kty: 'OKP', crv: 'X25519', x: RFC_9421_X }],
    ['an EC key', { kty: 'EC', crv: 'P-256', x: RFC_9421_X, y: RFC_9421_X }],
    ['a private key', { ...jwk(RFC_9421_X), d: 'n4Ni-HpISpVObnQMW0wOhCKROaIKqKtW_2ZYb2p9KcU' }],
    ['a short x', jwk(RFC_9421_X.slice(0, 42))],
    ['x in standard base64', jwk('JrQLj5P/89iXES9+vFgrIy29clF9CC/oPPsw3c5D0bs')],
    ['non-canonical trailing bits', jwk(RFC_9421_X.slice(0, 42) + 't')],
    ['a y with no point on the curve', jwk('AgAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')],
    ['the identity (small order)', jwk('AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')],
    ['the all-zero key (a point of order 4)', jwk('AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')],
    ['y not reduced modulo p', jwk('7f_______________________________________38')],
  ];
  for (const [what, key] of refused) {
    it(`refuses ${what} with invalid_argument`, () => {
      assert.throws(() => ed25519PublicKeyFromJwk(key), InvalidArgument);
    });
  }
});
