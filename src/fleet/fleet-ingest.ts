/**
 * facekey's side of the fleet conversation: every device message arrives here from the broker,
 * is checked (topic, known active device, Ed25519 signature, freshness, replay) and dispatched to
 * presence or the twins. A refused message is counted and acknowledged (redelivering a forgery
 * helps nobody); a message whose handling failed for an infrastructure reason is left
 * unacknowledged, so the broker redelivers it. `handle` settles only once the message's effect is
 * committed, and only then does the connection acknowledge it (mqtt-connection.ts); many messages
 * are handled at once, so the stores see them in any order and order them themselves.
 */
import type { FleetConnection, FleetMessage } from './fleet-broker.js';
import { ALL_UP_TOPICS, downTopic, parseUpTopic, type UpChannel } from './fleet-topics.js';
import type { DeviceMessage, DeviceMessageVerifier, MessageRejection } from './device-message-signature.js';
import type { DesiredDocument, DesiredPublisher, DeviceTwins } from './device-twins.js';
import type { PresenceTracker } from './presence-tracker.js';
import type { FeverAlerts } from './fever-alerts.js';
import type { Rollouts } from './rollouts.js';
import { LatencyHistogram } from './latency-histogram.js';
import type { IngestObserver } from './fleet-metrics.js';

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

/** What the ingest did with one message, for whoever must know before it is acknowledged (the simulator's loss count). */
export interface HandledMessage {
  readonly deviceId: string;
  readonly channel: string;
  /** The signed message's id; absent when the message was refused before its signature was read. */
  readonly messageId?: string;
  readonly accepted: boolean;
}

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
  private readonly latencies = new LatencyHistogram();
  private readonly channelLatencies = new Map<string, LatencyHistogram>();

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
      /** Awaited before the message is acknowledged. */
      readonly afterHandled?: (message: HandledMessage) => Promise<void> | void;
      readonly observer?: IngestObserver;
    },
  ) {}

  /** Subscribes `connection` to every device's up topics; `filter` is ALL_UP_TOPICS, or its shared form. */
  async attach(connection: FleetConnection, filter = ALL_UP_TOPICS): Promise<void> {
    connection.onMessage((message) => this.handle(message));
    await connection.subscribe(filter, 1);
  }

  async handle(message: FleetMessage): Promise<void> {
    const parsed = parseUpTopic(message.topic);
    if (!parsed) return this.refuse('topic');
    // An empty retained payload only clears a retained message.
    if (message.payload.length === 0) return;
    const { deviceId, channel } = parsed;
    const device = await this.deps.deviceOf(deviceId);
    if (!device) {
      this.refuse('device_unknown');
      return this.deps.afterHandled?.({ deviceId, channel, accepted: false });
    }
    const verified = await this.deps.verifier.verify(deviceId, message.topic, message.payload, {
      // A last will is signed when the device connects and published when it is gone, possibly much later.
      ignoreFreshness: channel === 'presence',
    });
    if (!verified.ok) {
      this.refuse(verified.reason);
      return this.deps.afterHandled?.({ deviceId, channel, accepted: false });
    }
    const accepted = await this.dispatch(device, channel, verified.message);
    if (!accepted) this.refuse('malformed');
    else {
      this.accepted++;
      this.byChannel[channel] = (this.byChannel[channel] ?? 0) + 1;
      // A last will is signed when the device connects and sent when it is gone: its age is not ingest latency.
      const latencyMs = !message.retain && channel !== 'presence' ? this.deps.clock().getTime() - Date.parse(verified.message.at) : undefined;
      if (latencyMs !== undefined) this.recordLatency(channel, latencyMs);
      this.deps.observer?.accepted(channel, latencyMs);
    }
    await this.deps.afterHandled?.({ deviceId, channel, messageId: verified.message.id, accepted });
  }

  /** Applies a verified message; false when its body is malformed. */
  private async dispatch(device: { id: string; tenantId: string; siteId: string }, channel: UpChannel, message: DeviceMessage): Promise<boolean> {
    const body = message.body as Record<string, unknown> | null;
    const { id: deviceId, tenantId } = device;
    switch (channel) {
      case 'presence': {
        // The device's connection number orders its presence messages, whoever handles them when.
        const session = body?.session;
        if (typeof session !== 'number' || !Number.isSafeInteger(session)) return false;
        if (body?.state === 'online') {
          // A full resync on every (re)connect, not only the changes the device missed (the
          // retained document is there too; this covers a broker that lost it).
          if (await this.deps.presence.online(deviceId, tenantId, session)) await this.resync(deviceId);
        } else if (body?.state === 'offline') {
          await this.deps.presence.offline(deviceId, tenantId, body.reason === 'goodbye' ? 'disconnected' : 'connection_lost', session);
        } else return false;
        return true;
      }
      case 'twin/reported':
        await this.deps.presence.seen(deviceId, tenantId);
        await this.deps.twins.report(deviceId, body?.state, new Date(message.at).toISOString());
        return true;
      case 'telemetry':
        await this.deps.presence.seen(deviceId, tenantId);
        if (body?.type === 'temperature') {
          const desired = await this.deps.twins.desiredDocument(deviceId);
          const threshold = desired?.state.temperatureThresholdC;
          await this.deps.fever.screen(device, body, typeof threshold === 'number' ? threshold : undefined);
        }
        return true;
      case 'jobs':
        await this.deps.presence.seen(deviceId, tenantId);
        await this.deps.rollouts.update(deviceId, body);
        return true;
    }
  }

  stats(): FleetIngestStats {
    return {
      accepted: this.accepted,
      rejected: { ...this.rejected },
      byChannel: { ...this.byChannel },
      ingestP50Ms: this.latencies.quantile(0.5),
      ingestP99Ms: this.latencies.quantile(0.99),
      ingestP99MsByChannel: Object.fromEntries([...this.channelLatencies].map(([channel, histogram]) => [channel, histogram.quantile(0.99)])),
    };
  }

  private async resync(deviceId: string): Promise<void> {
    const document = await this.deps.twins.desiredDocument(deviceId);
    // Version 0 is the empty document nobody set: nothing to resync.
    if (document && document.version > 0) await this.deps.publisher.publishDesired(deviceId, document);
  }

  private refuse(reason: MessageRejection | 'topic'): void {
    this.rejected[reason] = (this.rejected[reason] ?? 0) + 1;
    this.deps.observer?.refused(reason);
  }

  private recordLatency(channel: string, ms: number): void {
    this.latencies.record(ms);
    let histogram = this.channelLatencies.get(channel);
    if (!histogram) this.channelLatencies.set(channel, (histogram = new LatencyHistogram()));
    histogram.record(ms);
  }
}
