import assert from 'node:assert/strict';
import { sign, type KeyObject } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createVerifier, httpbis } from 'http-message-signatures';
import { openSqliteTestDatabase, type TestDatabase } from '../../test/kit/test-databases.js';
import { DeviceRevoked, DeviceUnknown, ReplayDetected, SignatureExpired, SignatureInvalid, SignatureMissing } from './device-errors.js';
import { contentDigest } from './content-digest.js';
import { migrateDevices } from './device-migrations.js';
import { ed25519PublicKeyObject } from './ed25519-public-key.js';
import { NonceStore } from './nonce-store.js';
import { signatureBase, signatureParams } from './signature-base.js';
import { generateTerminalKeyPair, signTerminalRequest, type RequestToSign, type SigningOptions } from './terminal-client.js';
import { TerminalRegistry, type Terminal } from './terminal-registry.js';
import { verifyTerminalRequest, verifyTerminalSignature, type TerminalRequest } from './verify-terminal-request.js';

const NOW = new Date('2026-03-01T12:00:00.000Z');
const NOW_S = NOW.getTime() / 1000;
const CHECKOUT: RequestToSign = {
  method: 'POST',
  url: 'https://api.facekey.test/v1/checkout?store=42',
  headers: { 'content-type': 'application/json' },
  body: '{"amount":1299,"currency":"EUR"}',
};

/** The request as the server sees it after the terminal signed and sent it. */
function received(request: RequestToSign, signed: Record<string, string>): TerminalRequest {
  const url = new URL(request.url);
  const headers: Record<string, string> = { host: url.host };
  for (const [name, value] of Object.entries({ ...request.headers, ...signed })) headers[name.toLowerCase()] = value;
  return {
    method: request.method,
    authority: url.host,
    path: url.pathname,
    query: url.search,
    headers,
    rawBody: request.body === undefined ? undefined : Buffer.from(request.body),
  };
}

describe('verifyTerminalRequest', () => {
  let opened: TestDatabase;
  let registry: TerminalRegistry;
  let nonces: NonceStore;
  let terminal: Terminal;
  let privateKey: KeyObject;
  let counter = 0;
  const options = () => ({ terminals: registry, nonces, now: NOW });
  /** Each call its own nonce, so tests do not collide with one another's replay protection. */
  const signAs = (request: RequestToSign, key = privateKey, id = terminal.id, extra: SigningOptions = {}) =>
    received(request, {
      ...signTerminalRequest(
        request,
        { terminalId: id, privateKey: key },
        { now: NOW, nonce: `nonce-${String(++counter).padStart(16, '0')}`, ...extra },
      ),
    });

  before(async () => {
    opened = await openSqliteTestDatabase();
    await migrateDevices(opened.db);
    registry = new TerminalRegistry(opened.db);
    nonces = new NonceStore(opened.db, () => NOW);
    const keys = generateTerminalKeyPair();
    privateKey = keys.privateKey;
    terminal = await registry.register('tenant-a', { label: 'Till 1', kind: 'checkout', publicKey: keys.publicJwk });
  });
  after(async () => {
    await opened.close();
  });

  it('accepts a signed request and returns its terminal', async () => {
    assert.deepEqual(await verifyTerminalRequest(signAs(CHECKOUT), options()), terminal);
  });

  it('also returns the claimed nonce and the signature times', async () => {
    const request = signTerminalRequest(CHECKOUT, { terminalId: terminal.id, privateKey }, { now: NOW, nonce: 'returned-nonce-0000000' });
    const verified = await verifyTerminalSignature(received(CHECKOUT, { ...request }), options());
    assert.ok(verified.terminal.lastSeenAt !== null, 'an earlier verified request was remembered as its last contact');
    assert.deepEqual(verified, {
      terminal: { ...terminal, lastSeenAt: verified.terminal.lastSeenAt },
      nonce: 'returned-nonce-0000000',
      createdAt: NOW,
      expiresAt: new Date(NOW.getTime() + 60_000),
    });
  });

  it('signs the documented headers, components and parameters', () => {
    const headers = signTerminalRequest(CHECKOUT, { terminalId: terminal.id, privateKey }, { now: NOW, nonce: 'AAAAAAAAAAAAAAAAAAAAAA' });
    assert.equal(headers['content-digest'], contentDigest(Buffer.from(CHECKOUT.body as string)));
    assert.equal(
      headers['signature-input'],
      `terminal=("@method" "@authority" "@path" "@query" "content-digest" "content-type");created=${NOW_S};expires=${NOW_S + 60};` +
        `nonce="AAAAAAAAAAAAAAAAAAAAAA";keyid="${terminal.id}";alg="ed25519";tag="facekey-terminal"`,
    );
    assert.match(headers.signature, /^terminal=:[A-Za-z0-9+/]{86}==:$/);
  });

  it('accepts a bodiless GET, which needs no content-type', async () => {
    const get: RequestToSign = { method: 'GET', url: 'https://api.facekey.test/v1/terminals/me' };
    assert.equal((await verifyTerminalRequest(signAs(get), options())).id, terminal.id);
  });

  it('is verified by an independent RFC 9421 implementation (http-message-signatures)', async () => {
    // That library checks `created` against the real clock, so this one request is signed now.
    const request = { ...CHECKOUT, headers: { ...CHECKOUT.headers } };
    const signed = signTerminalRequest(request, { terminalId: terminal.id, privateKey });
    const verified = await httpbis.verifyMessage(
      {
        keyLookup: async ({ keyid }) =>
          keyid === terminal.id
            ? { id: keyid, algs: ['ed25519'], verify: createVerifier(ed25519PublicKeyObject(terminal.publicKeyJwk.x), 'ed25519') }
            : null,
        requiredFields: ['@method', '@authority', '@path', '@query', 'content-digest', 'content-type'],
      },
      { method: request.method, url: request.url, headers: { ...request.headers, ...signed } },
    );
    assert.equal(verified, true);
  });

  it('refuses a tampered body as signature_invalid', async () => {
    const request = signAs(CHECKOUT);
    await assert.rejects(
      verifyTerminalRequest({ ...request, rawBody: Buffer.from('{"amount":1,"currency":"EUR"}') }, options()),
      SignatureInvalid,
    );
  });

  it('refuses a signature made with another key as signature_invalid', async () => {
    await assert.rejects(verifyTerminalRequest(signAs(CHECKOUT, generateTerminalKeyPair().privateKey), options()), SignatureInvalid);
  });

  const tampered: [string, (r: TerminalRequest) => TerminalRequest][] = [
    ['path', (r) => ({ ...r, path: '/v1/refund' })],
    ['query', (r) => ({ ...r, query: '?store=43' })],
    ['method', (r) => ({ ...r, method: 'PUT' })],
    ['authority', (r) => ({ ...r, authority: 'evil.test' })],
    ['content-type', (r) => ({ ...r, headers: { ...r.headers, 'content-type': 'text/plain' } })],
    [
      'content-digest (with a matching body)',
      (r) => ({ ...r, rawBody: Buffer.from('{}'), headers: { ...r.headers, 'content-digest': contentDigest(Buffer.from('{}')) } }),
    ],
  ];
  for (const [component, change] of tampered) {
    it(`refuses a changed ${component} as signature_invalid`, async () => {
      await assert.rejects(verifyTerminalRequest(change(signAs(CHECKOUT)), options()), SignatureInvalid);
    });
  }

  it('refuses an unsigned request as signature_missing', async () => {
    const request = signAs(CHECKOUT);
    const { signature: _s, 'signature-input': _i, ...unsigned } = request.headers;
    await assert.rejects(verifyTerminalRequest({ ...request, headers: unsigned }, options()), SignatureMissing);
  });

  it('refuses half-signed and malformed signature headers as signature_invalid', async () => {
    const request = signAs(CHECKOUT);
    const { signature: _s, ...inputOnly } = request.headers;
    await assert.rejects(verifyTerminalRequest({ ...request, headers: inputOnly }, options()), SignatureInvalid);
    const garbled = (name: string, value: string) =>
      verifyTerminalRequest({ ...request, headers: { ...request.headers, [name]: value } }, options());
    await assert.rejects(garbled('signature-input', 'terminal=("@method"'), SignatureInvalid);
    await assert.rejects(garbled('signature', 'terminal=:AAAA:'), SignatureInvalid);
    await assert.rejects(garbled('signature', 'other=:AAAA:'), SignatureInvalid);
    await assert.rejects(garbled('content-digest', 'sha-256=:AAAA'), SignatureInvalid);
  });

  /** A signature built by hand, to break one rule of the profile at a time. */
  function handSigned(covered: string[], params: [string, string | number][], request: RequestToSign = CHECKOUT): TerminalRequest {
    const body = Buffer.from((request.body as string | undefined) ?? '');
    const base = received(request, { 'content-digest': contentDigest(body) });
    const input = signatureParams(covered, new Map(params));
    const signature = sign(null, Buffer.from(signatureBase(covered, input, base)), privateKey).toString('base64');
    return { ...base, headers: { ...base.headers, 'signature-input': `sig=${input}`, signature: `sig=:${signature}:` } };
  }
  const ALL = ['@method', '@authority', '@path', '@query', 'content-digest', 'content-type'];
  const params = (overrides: Record<string, string | number> = {}): [string, string | number][] =>
    Object.entries({
      created: NOW_S,
      expires: NOW_S + 60,
      nonce: `hand-${String(++counter).padStart(16, '0')}`,
      keyid: terminal.id,
      alg: 'ed25519',
      tag: 'facekey-terminal',
      ...overrides,
    });

  it('accepts a correct hand-made signature (the rule-breaking variants below differ in one thing)', async () => {
    assert.equal((await verifyTerminalRequest(handSigned(ALL, params()), options())).id, terminal.id);
  });

  it('refuses a wrong tag, a wrong alg, or a missing nonce as signature_invalid', async () => {
    const invalid = (pattern: RegExp) => (e: unknown) => e instanceof SignatureInvalid && pattern.test(e.message);
    await assert.rejects(verifyTerminalRequest(handSigned(ALL, params({ tag: 'other-app' })), options()), invalid(/tagged/));
    await assert.rejects(verifyTerminalRequest(handSigned(ALL, params({ alg: 'hmac-sha256' })), options()), invalid(/alg/));
    const withoutNonce = params().filter(([name]) => name !== 'nonce');
    await assert.rejects(verifyTerminalRequest(handSigned(ALL, withoutNonce), options()), invalid(/nonce/));
  });

  it('refuses a signature that leaves a required component uncovered as signature_invalid', async () => {
    for (const component of ALL) {
      const covered = ALL.filter((c) => c !== component);
      await assert.rejects(
        verifyTerminalRequest(handSigned(covered, params()), options()),
        (e) => e instanceof SignatureInvalid && e.message.includes(`"${component}"`),
        `without ${component}`,
      );
    }
  });

  it('refuses a lifetime longer than allowed as signature_invalid', async () => {
    await assert.rejects(
      verifyTerminalRequest(handSigned(ALL, params({ expires: NOW_S + 3600 })), options()),
      (e) => e instanceof SignatureInvalid && /lifetime/.test(e.message),
    );
  });

  it('refuses an expired signature as signature_expired', async () => {
    const request = signAs(CHECKOUT, privateKey, terminal.id, { now: new Date(NOW.getTime() - 120_000) });
    await assert.rejects(verifyTerminalRequest(request, options()), (e) => e instanceof SignatureExpired && /expired/.test(e.message));
  });

  it('refuses a signature created too long ago as signature_expired, even before its expiry', async () => {
    const request = signAs(CHECKOUT, privateKey, terminal.id, { now: new Date(NOW.getTime() - 301_000), ttlSeconds: 300 });
    await assert.rejects(verifyTerminalRequest(request, options()), (e) => e instanceof SignatureExpired && /too long ago/.test(e.message));
  });

  it('tolerates clock skew up to maxSkewSeconds and refuses a created time further in the future', async () => {
    const ahead = (seconds: number) => signAs(CHECKOUT, privateKey, terminal.id, { now: new Date(NOW.getTime() + seconds * 1000) });
    assert.equal((await verifyTerminalRequest(ahead(25), options())).id, terminal.id);
    await assert.rejects(verifyTerminalRequest(ahead(31), options()), (e) => e instanceof SignatureExpired && /future/.test(e.message));
  });

  it('refuses the same request twice as replay_detected', async () => {
    const request = signAs(CHECKOUT);
    await verifyTerminalRequest(request, options());
    await assert.rejects(verifyTerminalRequest(request, options()), ReplayDetected);
  });

  it('lets exactly one of two concurrent identical requests through', async () => {
    const request = signAs(CHECKOUT);
    const outcomes = await Promise.allSettled([verifyTerminalRequest(request, options()), verifyTerminalRequest(request, options())]);
    assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 1);
    const rejected = outcomes.find((o) => o.status === 'rejected');
    assert.ok(rejected?.status === 'rejected' && rejected.reason instanceof ReplayDetected);
  });

  it('does not burn the nonce of a request that fails verification', async () => {
    const request = signAs(CHECKOUT);
    await assert.rejects(verifyTerminalRequest({ ...request, rawBody: Buffer.from('{}') }, options()), SignatureInvalid);
    await assert.rejects(verifyTerminalRequest({ ...request, path: '/v1/other' }, options()), SignatureInvalid);
    assert.equal((await verifyTerminalRequest(request, options())).id, terminal.id);
  });

  it('refuses an unknown keyid as device_unknown', async () => {
    await assert.rejects(verifyTerminalRequest(signAs(CHECKOUT, privateKey, 'no-such-terminal'), options()), DeviceUnknown);
  });

  it('refuses a revoked terminal as device_revoked, but only to its own key', async () => {
    const keys = generateTerminalKeyPair();
    const revoked = await registry.register('tenant-a', { label: 'Old till', kind: 'checkout', publicKey: keys.publicJwk });
    await registry.revoke('tenant-a', revoked.id);
    await assert.rejects(verifyTerminalRequest(signAs(CHECKOUT, keys.privateKey, revoked.id), options()), DeviceRevoked);
    // Without the key, nobody learns the terminal was revoked.
    await assert.rejects(verifyTerminalRequest(signAs(CHECKOUT, privateKey, revoked.id), options()), SignatureInvalid);
  });

  it('maps each refusal to its own code and HTTP status', () => {
    const codes = [SignatureMissing, SignatureInvalid, SignatureExpired, ReplayDetected, DeviceUnknown, DeviceRevoked].map((E) => {
      const e = new E('x');
      return [e.code, e.status];
    });
    assert.deepEqual(codes, [
      ['signature_missing', 401],
      ['signature_invalid', 401],
      ['signature_expired', 401],
      ['replay_detected', 401],
      ['device_unknown', 401],
      ['device_revoked', 403],
    ]);
  });
});
