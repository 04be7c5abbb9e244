/**
 * facekey's side of the fleet conversation: every device message arrives here from the broker,
 * is checked (topic, known active device, Ed25519 signature, freshness, replay) and dispatched to
 * presence or the twins. A refused message is counted and acknowledged (redelivering a forgery
 * helps nobody); a message whose handling failed for an infrastructure reason is left
 * unacknowledged, so the broker redelivers it.
 */
import type { FleetConnection, FleetMessage } from './fleet-broker.js';
import { ALL_UP_TOPICS, downTopic, parseUpTopic } from './fleet-topics.js';
import type { DeviceMessageVerifier, MessageRejection } from './device-message-signature.js';
import type { DesiredDocument, DesiredPublisher, DeviceTwins } from './device-twins.js';
import type { PresenceTracker } from './presence-tracker.js';
import type { FeverAlerts } from './fever-alerts.js';
import type { Rollouts } from './rollouts.js';

export interface FleetIngestStats {
  readonly accepted: number;
  readonly rejected: Readonly<Record<string, number>>;
  readonly byChannel: Readonly<Record<string, number>>;
  /** Device timestamp to handled, in ms, presence excluded (a last will is signed long before it is sent). */
  readonly ingestP50Ms: number | null;
  readonly ingestP99Ms: number | null;
  /** p99 per channel, to tell a connect storm (presence) from steady telemetry. */
  readonly ingestP99MsByChannel: Readonly<Record<string, number | null>>;
}

/** An active device's tenant and site, or undefined when unknown or revoked. */
export type ActiveDeviceLookup = (deviceId: string) => Promise<{ readonly id: string; readonly tenantId: string; readonly siteId: string } | undefined>;

const MAX_LATENCY_SAMPLES = 500_000;

export class BrokerDesiredPublisher implements DesiredPublisher {
  constructor(private readonly connection: () => FleetConnection) {}

  async publishDesired(deviceId: string, document: DesiredDocument): Promise<void> {
    await this.connection().publish(downTopic(deviceId, 'twin/desired'), JSON.stringify(document), { qos: 1, retain: true });
  }
}

export class FleetIngest {
  private accepted = 0;
  private readonly rejected: Record<string, number> = {};
  private readonly byChannel: Record<string, number> = {};
  private latencies: number[] = [];
  private readonly channelLatencies = new Map<string, number[]>();

  constructor(
    private readonly deps: {
      readonly verifier: DeviceMessageVerifier;
      readonly deviceOf: ActiveDeviceLookup;
      readonly twins: DeviceTwins;
      readonly presence: PresenceTracker;
      readonly publisher: DesiredPublisher;
      readonly fever: FeverAlerts;
      readonly rollouts: Rollouts;
      readonly clock: () => Date;
    },
  ) {}

  async attach(connection: FleetConnection): Promise<void> {
    connection.onMessage((message) => this.handle(message));
    await connection.subscribe(ALL_UP_TOPICS, 1);
  }

  async handle(message: FleetMessage): Promise<void> {
    const parsed = parseUpTopic(message.topic);
    if (!parsed) return this.refuse('topic');
    // An empty retained payload only clears a retained message.
    if (message.payload.length === 0) return;
    const device = await this.deps.deviceOf(parsed.deviceId);
    if (!device) return this.refuse('device_unknown');
    const { tenantId } = device;
    const verified = await this.deps.verifier.verify(parsed.deviceId, message.topic, message.payload, {
      // A last will is signed when the device connects and published when it is gone, possibly much later.
      ignoreFreshness: parsed.channel === 'presence',
    });
    if (!verified.ok) return this.refuse(verified.reason);
    const body = verified.message.body as Record<string, unknown> | null;
    const { deviceId, channel } = parsed;
    switch (channel) {
      case 'presence':
        if (body?.state === 'online') {
          // A full resync on every (re)connect, not only the changes the device missed (the
          // retained document is there too; this covers a broker that lost it).
          if (await this.deps.presence.online(deviceId, tenantId)) await this.resync(deviceId);
        } else if (body?.state === 'offline') {
          await this.deps.presence.offline(deviceId, tenantId, body.reason === 'goodbye' ? 'disconnected' : 'connection_lost');
        } else return this.refuse('malformed');
        break;
      case 'twin/reported':
        await this.deps.presence.seen(deviceId, tenantId);
        await this.deps.twins.report(deviceId, body?.state);
        break;
      case 'telemetry':
        await this.deps.presence.seen(deviceId, tenantId);
        if (body?.type === 'temperature') {
          const desired = await this.deps.twins.desiredDocument(deviceId);
          const threshold = desired?.state.temperatureThresholdC;
          await this.deps.fever.screen(device, body, typeof threshold === 'number' ? threshold : undefined);
        }
        break;
      case 'jobs':
        await this.deps.presence.seen(deviceId, tenantId);
        await this.deps.rollouts.update(deviceId, body);
        break;
    }
    this.accepted++;
    this.byChannel[channel] = (this.byChannel[channel] ?? 0) + 1;
    // A last will is signed when the device connects and sent when it is gone: its age is not ingest latency.
    if (!message.retain && channel !== 'presence') this.recordLatency(channel, this.deps.clock().getTime() - Date.parse(verified.message.at));
  }

  stats(): FleetIngestStats {
    const quantile = (samples: readonly number[], q: number): number | null => {
      const sorted = [...samples].sort((a, b) => a - b);
      return sorted.length === 0 ? null : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
    };
    return {
      accepted: this.accepted,
      rejected: { ...this.rejected },
      byChannel: { ...this.byChannel },
      ingestP50Ms: quantile(this.latencies, 0.5),
      ingestP99Ms: quantile(this.latencies, 0.99),
      ingestP99MsByChannel: Object.fromEntries([...this.channelLatencies].map(([channel, samples]) => [channel, quantile(samples, 0.99)])),
    };
  }

  private async resync(deviceId: string): Promise<void> {
    const document = await this.deps.twins.desiredDocument(deviceId);
    // Version 0 is the empty document nobody set: nothing to resync.
    if (document && document.version > 0) await this.deps.publisher.publishDesired(deviceId, document);
  }

  private refuse(reason: MessageRejection | 'topic'): void {
    this.rejected[reason] = (this.rejected[reason] ?? 0) + 1;
  }

  private recordLatency(channel: string, ms: number): void {
    if (this.latencies.length >= MAX_LATENCY_SAMPLES) this.latencies = this.latencies.slice(MAX_LATENCY_SAMPLES / 2);
    this.latencies.push(Math.max(0, ms));
    let samples = this.channelLatencies.get(channel);
    if (!samples) this.channelLatencies.set(channel, (samples = []));
    if (samples.length >= MAX_LATENCY_SAMPLES) samples.splice(0, MAX_LATENCY_SAMPLES / 2);
    samples.push(Math.max(0, ms));
  }
}
