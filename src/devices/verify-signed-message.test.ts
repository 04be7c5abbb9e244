import assert from 'node:assert/strict';
import { randomBytes, sign } from 'node:crypto';
import { describe, it } from 'node:test';
import type { Parameters } from 'structured-headers';
import { contentDigest, contentDigestMatches } from './content-digest.js';
import { DeviceRevoked, DeviceUnknown, ReplayDetected, SignatureExpired, SignatureInvalid } from './device-errors.js';
import { messageSignatureBase, signatureParams } from './signature-base.js';
import { TERMINAL_SIGNATURE_ALG } from './signature-profile.js';
import { generateTerminalKeyPair } from './terminal-client.js';
import type { Terminal } from './terminal-registry.js';
import { verifySignedMessage, type SignedMessage } from './verify-signed-message.js';

/**
 * The seam for devices that do not speak HTTP: a message on a broker topic, signed over its topic
 * and payload digest. Nothing here is HTTP; the same core verifies it.
 */
const keys = generateTerminalKeyPair();
const now = new Date('2026-11-29T12:00:00Z');
const nowSeconds = Math.floor(now.getTime() / 1000);
const terminal = (revokedAt: string | null = null): Terminal => ({
  id: 'term-1',
  tenantId: 'tenant-1',
  label: 'till',
  kind: 'checkout',
  lastSeenAt: null,
  publicKeyJwk: keys.publicJwk,
  createdAt: now.toISOString(),
  revokedAt,
});

interface DeviceMessage {
  readonly topic: string;
  readonly payload: Uint8Array;
  readonly properties: Record<string, string>;
}

const REQUIRED = ['@topic', 'content-digest'];

/** What a device does: sign its topic and payload digest with the RFC 9421 base format. */
function signedDeviceMessage(
  message: DeviceMessage,
  overrides: { created?: number; expires?: number; nonce?: string } = {},
): SignedMessage {
  const covered = ['@topic', 'content-digest'];
  const parameters: Parameters = new Map<string, string | number>([
    ['created', overrides.created ?? nowSeconds],
    ['expires', overrides.expires ?? nowSeconds + 60],
    ['nonce', overrides.nonce ?? randomBytes(16).toString('base64url')],
    ['keyid', 'term-1'],
    ['alg', TERMINAL_SIGNATURE_ALG],
  ]);
  const properties: Record<string, string> = { ...message.properties, 'content-digest': contentDigest(message.payload) };
  const component = (name: string) => (name === '@topic' ? message.topic : properties[name]);
  const base = messageSignatureBase(covered, signatureParams(covered, parameters), component);
  const signature = sign(null, Buffer.from(base, 'utf8'), keys.privateKey);
  return receivedMessage({ ...message, properties }, covered, parameters, signature);
}

/** What the broker profile does on receipt: read the message's components, bind the payload by its digest. */
function receivedMessage(message: DeviceMessage, covered: string[], parameters: Parameters, signature: Uint8Array): SignedMessage {
  return {
    covered,
    parameters,
    signature,
    component: (name) => (name === '@topic' ? message.topic : message.properties[name]),
    checkPayload: () => {
      if (!contentDigestMatches(message.properties['content-digest'] ?? '', message.payload))
        throw new SignatureInvalid('the payload does not match its content-digest');
    },
  };
}

function policy(found: Terminal | null = terminal()) {
  const claimed = new Set<string>();
  return {
    required: REQUIRED,
    now,
    terminals: { get: async (id: string) => (found?.id === id ? found : undefined) },
    nonces: {
      claim: async (id: string, nonce: string) => {
        if (claimed.has(`${id}/${nonce}`)) return false;
        claimed.add(`${id}/${nonce}`);
        return true;
      },
    },
  };
}

const payment: DeviceMessage = {
  topic: 'facekey/tenant-1/term-1/checkout',
  payload: new TextEncoder().encode('{"amount":990}'),
  properties: {},
};

describe('verifySignedMessage (transport-neutral core)', () => {
  it('verifies a non-HTTP device message and returns the device, nonce and times', async () => {
    const message = signedDeviceMessage(payment, { nonce: 'nonce-nonce-nonce-0001' });
    const verified = await verifySignedMessage(message, policy());
    assert.deepEqual(
      [verified.terminal.id, verified.nonce, verified.createdAt.getTime()],
      ['term-1', 'nonce-nonce-nonce-0001', nowSeconds * 1000],
    );
  });

  it('refuses a replayed message with the same nonce', async () => {
    const shared = policy();
    const message = signedDeviceMessage(payment);
    await verifySignedMessage(message, shared);
    await assert.rejects(verifySignedMessage(message, shared), ReplayDetected);
  });

  it('refuses a tampered payload, another topic, and a signature that does not cover what the profile requires', async () => {
    const message = signedDeviceMessage(payment);
    const tampered = receivedMessage(
      {
        ...payment,
        payload: new TextEncoder().encode('{"amount":99000}'),
        properties: { 'content-digest': message.component('content-digest')! },
      },
      [...message.covered],
      message.parameters,
      message.signature,
    );
    await assert.rejects(verifySignedMessage(tampered, policy()), /payload does not match/);
    const moved = {
      ...message,
      component: (name: string) => (name === '@topic' ? 'facekey/tenant-2/term-1/checkout' : message.component(name)),
    };
    await assert.rejects(verifySignedMessage(moved, policy()), /does not verify/);
    await assert.rejects(verifySignedMessage(message, { ...policy(), required: [...REQUIRED, '@qos'] }), SignatureInvalid);
  });

  it('refuses expired signatures, unknown and revoked devices', async () => {
    await assert.rejects(
      verifySignedMessage(signedDeviceMessage(payment, { created: nowSeconds - 400, expires: nowSeconds - 340 }), policy()),
      SignatureExpired,
    );
    await assert.rejects(verifySignedMessage(signedDeviceMessage(payment), policy(null)), DeviceUnknown);
    await assert.rejects(verifySignedMessage(signedDeviceMessage(payment), policy(terminal(now.toISOString()))), DeviceRevoked);
  });
});
