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
import { RecentMessageIds } from './recent-message-ids.js';

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

export class Ed25519DeviceMessageVerifier implements DeviceMessageVerifier {
  private readonly keys = new Map<string, KeyObject>();
  /** Drops QoS 1 redeliveries and replays within the freshness window. */
  private readonly recentIds = new RecentMessageIds();

  constructor(
    private readonly lookup: DeviceKeyLookup,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** Forget a device's key (revocation, rotation). */
  forget(deviceId: string): void {
    this.keys.delete(deviceId);
    this.recentIds.forget(deviceId);
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
    const atMs = Date.parse(message.at);
    if (!options.ignoreFreshness && Math.abs(this.clock().getTime() - atMs) > MESSAGE_FRESHNESS_MS) return { ok: false, reason: 'stale' };
    // A message older than all the device's remembered ones cannot be told from a replay of a forgotten one.
    // Presence is exempt from that (a last will carries its connect time) and is ordered by session anyway.
    const verdict = options.ignoreFreshness
      ? this.recentIds.admit(deviceId, message.id, this.clock().getTime(), { olderThanRememberedIsReplay: false })
      : this.recentIds.admit(deviceId, message.id, atMs);
    if (verdict !== 'new') return { ok: false, reason: 'replayed' };
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
