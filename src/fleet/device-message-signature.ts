/**
 * Every device message on the broker is signed by the device's Ed25519 key, so a stolen MQTT
 * password alone cannot forge telemetry. The signature covers a domain tag, the topic (a message
 * cannot be replayed onto another channel or device) and the exact message bytes:
 *
 *   payload = {"m": "<message JSON>", "s": "<base64url Ed25519 signature>"}
 *   signed  = "facekey-fleet-v1\n" + topic + "\n" + m
 *   message = {"id": <unique per device>, "at": <ISO time>, "body": …}
 *
 * This is the fleet's own small verifier over crypto.verify, behind DeviceMessageVerifier, until
 * the platform's transport-neutral signed-message verifier replaces it.
 */
import { sign, verify, type KeyObject } from 'node:crypto';
import { ed25519PublicKeyObject } from '../devices/ed25519-public-key.js';

const DOMAIN_TAG = 'facekey-fleet-v1';
/** How far a message's `at` may be from facekey's clock: covers broker queueing for a reconnecting device. */
export const MESSAGE_FRESHNESS_MS = 10 * 60_000;

export interface DeviceMessage {
  readonly id: string;
  readonly at: string;
  readonly body: unknown;
}

export type MessageRejection = 'malformed' | 'device_unknown' | 'signature_invalid' | 'stale' | 'replayed';

export type VerifiedMessage = { readonly ok: true; readonly message: DeviceMessage } | { readonly ok: false; readonly reason: MessageRejection };

export interface DeviceMessageVerifier {
  verify(deviceId: string, topic: string, payload: Buffer, options?: { readonly ignoreFreshness?: boolean }): Promise<VerifiedMessage>;
}

function signedBytes(topic: string, message: string): Buffer {
  return Buffer.from(`${DOMAIN_TAG}\n${topic}\n${message}`, 'utf8');
}

/** The device side. */
export function signDeviceMessage(topic: string, message: DeviceMessage, privateKey: KeyObject): Buffer {
  const m = JSON.stringify(message);
  const s = sign(null, signedBytes(topic, m), privateKey).toString('base64url');
  return Buffer.from(JSON.stringify({ m, s }), 'utf8');
}

/** The active device's raw Ed25519 public key (base64url), or undefined when unknown or revoked. */
export type DeviceKeyLookup = (deviceId: string) => Promise<string | undefined>;

/** Message ids remembered per device to drop QoS 1 redeliveries and replays within the freshness window. */
const REMEMBERED_IDS = 64;

export class Ed25519DeviceMessageVerifier implements DeviceMessageVerifier {
  private readonly keys = new Map<string, KeyObject>();
  private readonly recentIds = new Map<string, string[]>();

  constructor(
    private readonly lookup: DeviceKeyLookup,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** Forget a device's key (revocation, rotation). */
  forget(deviceId: string): void {
    this.keys.delete(deviceId);
    this.recentIds.delete(deviceId);
  }

  async verify(deviceId: string, topic: string, payload: Buffer, options: { readonly ignoreFreshness?: boolean } = {}): Promise<VerifiedMessage> {
    let envelope: { m?: unknown; s?: unknown };
    try {
      envelope = JSON.parse(payload.toString('utf8')) as { m?: unknown; s?: unknown };
    } catch {
      return { ok: false, reason: 'malformed' };
    }
    if (typeof envelope.m !== 'string' || typeof envelope.s !== 'string') return { ok: false, reason: 'malformed' };
    const key = await this.keyOf(deviceId);
    if (!key) return { ok: false, reason: 'device_unknown' };
    if (!verify(null, signedBytes(topic, envelope.m), key, Buffer.from(envelope.s, 'base64url'))) return { ok: false, reason: 'signature_invalid' };
    let message: DeviceMessage;
    try {
      message = JSON.parse(envelope.m) as DeviceMessage;
    } catch {
      return { ok: false, reason: 'malformed' };
    }
    if (typeof message.id !== 'string' || typeof message.at !== 'string' || Number.isNaN(Date.parse(message.at))) return { ok: false, reason: 'malformed' };
    if (!options.ignoreFreshness && Math.abs(this.clock().getTime() - Date.parse(message.at)) > MESSAGE_FRESHNESS_MS) return { ok: false, reason: 'stale' };
    const seen = this.recentIds.get(deviceId) ?? [];
    if (seen.includes(message.id)) return { ok: false, reason: 'replayed' };
    seen.push(message.id);
    if (seen.length > REMEMBERED_IDS) seen.shift();
    this.recentIds.set(deviceId, seen);
    return { ok: true, message };
  }

  private async keyOf(deviceId: string): Promise<KeyObject | undefined> {
    const cached = this.keys.get(deviceId);
    if (cached) return cached;
    const raw = await this.lookup(deviceId);
    if (!raw) return undefined;
    const key = ed25519PublicKeyObject(raw);
    this.keys.set(deviceId, key);
    return key;
  }
}
