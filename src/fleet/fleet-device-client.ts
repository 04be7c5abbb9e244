/**
 * The device side of the fleet protocol, as a terminal would implement it (and as the tests and
 * `facekey fleet simulate` use it): register with a claim, connect with a signed last will, say
 * "online", follow the retained desired state, sign every message.
 */
import { randomUUID, sign, type KeyObject } from 'node:crypto';
import { generateEd25519KeyPair } from '../devices/ed25519-key-pair.js';
import mqtt, { type MqttClient } from 'mqtt';
import { claimProofBytes, type ProvisionedDevice, type Registration } from './fleet-provisioning.js';
import { signDeviceMessage } from './device-message-signature.js';
import { downTopic, upTopic, type UpChannel } from './fleet-topics.js';
import type { DesiredDocument } from './device-twins.js';
import type { JobNotice } from './rollouts.js';

export interface DeviceKeys {
  readonly privateKey: KeyObject;
  readonly publicJwk: { kty: 'OKP'; crv: 'Ed25519'; x: string };
}

export function newDeviceKeys(): DeviceKeys {
  return generateEd25519KeyPair();
}

/** The registration a device sends with its claim token: its public key and the proof of possession. */
export function registrationFor(claimToken: string, keys: DeviceKeys, label?: string): Registration {
  const proof = sign(null, claimProofBytes(claimToken, keys.publicJwk.x), keys.privateKey).toString('base64url');
  return { claimToken, publicKey: keys.publicJwk, proof, label };
}

export class FleetDeviceClient {
  private client: MqttClient | undefined;
  private desiredListeners: ((document: DesiredDocument) => void)[] = [];
  private jobListeners: ((notice: JobNotice) => void)[] = [];
  /** The last desired document received. */
  desired: DesiredDocument | undefined;
  private session = 0;
  /** The id of the last will the broker holds for the current connection. */
  private willId: string | undefined;

  constructor(
    readonly provisioned: ProvisionedDevice,
    private readonly keys: DeviceKeys,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  get id(): string {
    return this.provisioned.device.id;
  }

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  onDesired(listener: (document: DesiredDocument) => void): void {
    this.desiredListeners.push(listener);
  }

  onJob(listener: (notice: JobNotice) => void): void {
    this.jobListeners.push(listener);
  }

  /** Connects with a signed last will and says "online"; resolves with the "online" message's id once the broker has it. */
  async connect(options: { readonly keepaliveSeconds?: number } = {}): Promise<string> {
    const { mqtt: credentials } = this.provisioned;
    // The connection's number, increasing per device: facekey orders presence messages by it.
    this.session = Math.max(this.clock().getTime(), this.session + 1);
    const session = this.session;
    const willId = randomUUID();
    const will = this.signed('presence', { state: 'offline', reason: 'connection_lost', session }, willId);
    const client = await mqtt.connectAsync(
      credentials.url,
      {
        clientId: credentials.clientId,
        username: credentials.username,
        password: credentials.password,
        clean: true,
        protocolVersion: 4,
        keepalive: options.keepaliveSeconds ?? 60,
        reconnectPeriod: 0,
        will: { topic: upTopic(this.id, 'presence'), payload: will, qos: 1, retain: true },
      },
      // Closed before its CONNACK (a broker reloading its password file drops such connections): fail, so the device retries.
      false,
    );
    this.client = client;
    client.on('message', (topic, payload) => {
      if (topic === downTopic(this.id, 'jobs')) {
        const notice = JSON.parse(payload.toString('utf8')) as JobNotice;
        for (const listener of this.jobListeners) listener(notice);
        return;
      }
      if (topic !== downTopic(this.id, 'twin/desired') || payload.length === 0) return;
      const document = JSON.parse(payload.toString('utf8')) as DesiredDocument;
      this.desired = document;
      for (const listener of this.desiredListeners) listener(document);
    });
    this.willId = willId;
    await client.subscribeAsync(`facekey/devices/${this.id}/down/#`, { qos: 1 });
    return this.publish('presence', { state: 'online', session }, true);
  }

  /** A signed QoS 1 message; resolves with the message's id when the broker acknowledged it. */
  async publish(channel: UpChannel, body: unknown, retain = false): Promise<string> {
    if (!this.client) throw new Error('not connected');
    const id = randomUUID();
    await this.client.publishAsync(upTopic(this.id, channel), this.signed(channel, body, id), { qos: 1, retain });
    return id;
  }

  /** A goodbye, then a clean disconnect (no last will). */
  async disconnect(): Promise<void> {
    if (!this.client) return;
    await this.publish('presence', { state: 'offline', reason: 'goodbye', session: this.session }, true);
    await this.client.endAsync();
    this.client = undefined;
    this.willId = undefined;
  }

  /** The connection dies without a goodbye: the broker publishes the last will, whose id this returns. */
  drop(): string | undefined {
    const willId = this.client ? this.willId : undefined;
    this.client?.stream.destroy();
    void this.client?.endAsync(true).catch(() => undefined);
    this.client = undefined;
    this.willId = undefined;
    return willId;
  }

  private signed(channel: UpChannel, body: unknown, id: string = randomUUID()): Buffer {
    return signDeviceMessage(upTopic(this.id, channel), { id, at: this.clock().toISOString(), body }, this.keys.privateKey);
  }
}
