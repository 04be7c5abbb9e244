/**
 * Builds the fleet over one SQL database and one broker: provisioning, twins, presence and the
 * ingest of device messages on facekey's own broker connection. The service and the tests compose
 * the fleet here, so what is tested is what runs.
 */
import type { SqlDatabase } from '../store/sql/sql-database.js';
import type { AuditSink } from '../audit/audit-sink.js';
import type { TerminalRegistry } from '../devices/terminal-registry.js';
import type { FleetBroker, FleetConnection, FleetMessage } from './fleet-broker.js';
import { migrateFleet } from './fleet-migrations.js';
import { FleetProvisioning } from './fleet-provisioning.js';
import { DeviceTwins } from './device-twins.js';
import { PresenceTracker } from './presence-tracker.js';
import { Ed25519DeviceMessageVerifier } from './device-message-signature.js';
import { BrokerDesiredPublisher, FleetIngest, type HandledMessage } from './fleet-ingest.js';
import { FeverAlerts, type HealthScreeningConsent } from './fever-alerts.js';
import { StaffFeverNotifier, type FeverWebhook } from './fever-notifier.js';
import { Rollouts } from './rollouts.js';
import { ALL_UP_TOPICS, SHARED_UP_TOPICS, downTopic } from './fleet-topics.js';
import { FleetNodes, ingestClientIdOf } from './fleet-nodes.js';
import { FleetMetrics } from './fleet-metrics.js';
import type { Registry } from 'prom-client';
import { GroupCommittingDatabase } from '../store/sql/group-commit.js';

export interface FleetSettings {
  readonly broker: FleetBroker;
  /** Names this facekey node's broker session; stable across restarts. */
  readonly nodeId: string;
  /** Silence after which facekey marks a device offline itself (default 90 s: three missed 30 s heartbeats). */
  readonly inactivityTimeoutMs?: number;
  readonly sweepIntervalMs?: number;
  /** How often rollouts are advanced (timeouts, abort checks, phases) besides after each device update. */
  readonly rolloutIntervalMs?: number;
  readonly clock?: () => Date;
  readonly onError?: (error: unknown) => void;
  /** Where fever alerts are POSTed besides the site's MQTT topic. */
  readonly feverWebhook?: FeverWebhook;
  /** How long a fever alert, and so its temperature value, lives without an outcome (default 1 h). */
  readonly feverAlertLifetimeMs?: number;
  /** Awaited for every device message before it is acknowledged (the simulator counts what was handled). */
  readonly afterHandled?: (message: HandledMessage) => Promise<void> | void;
}

export interface FleetParts {
  readonly sql: SqlDatabase;
  readonly terminals: TerminalRegistry;
  readonly audit: AuditSink;
  /** Whether a person granted the health_screening purpose; without it no reading is ever linked to anyone. */
  readonly healthConsent?: HealthScreeningConsent;
}

export type Fleet = Awaited<ReturnType<typeof composeFleet>>;

interface ActiveDevice {
  readonly id: string;
  readonly tenantId: string;
  readonly siteId: string;
  readonly publicKey: string;
}

export const DEFAULT_INACTIVITY_TIMEOUT_MS = 90_000;

export async function composeFleet(parts: FleetParts, settings: FleetSettings) {
  const { terminals, audit } = parts;
  // SQLite commits one writer at a time, each with an fsync: concurrent ingest writes share commits.
  // PostgreSQL runs concurrent transactions on its pool and flushes their commits together itself.
  const sql =
    parts.sql.dialect === 'sqlite' && !(parts.sql instanceof GroupCommittingDatabase) ? new GroupCommittingDatabase(parts.sql) : parts.sql;
  const { broker } = settings;
  const clock = settings.clock ?? (() => new Date());
  await migrateFleet(sql);

  // Two connections: one receives (its window of unacknowledged messages fills while handlers wait),
  // one publishes, so a handler may await a publish's PUBACK without waiting on its own window.
  let incoming: FleetConnection | undefined;
  let outgoing: FleetConnection | undefined;
  const outgoingConnection = (): FleetConnection => {
    if (!outgoing) throw new Error('the fleet is not connected to its broker');
    return outgoing;
  };
  const publisher = new BrokerDesiredPublisher(outgoingConnection);
  const onError = settings.onError ?? (() => undefined);
  // Active devices' tenant, site and key, read once per device: every message needs them.
  const activeDevices = new Map<string, ActiveDevice>();
  const activeDevice = async (deviceId: string): Promise<ActiveDevice | undefined> => {
    const cached = activeDevices.get(deviceId);
    if (cached) return cached;
    const row = await sql.get<{ tenant_id: string; public_key: string; site_id: string }>(
      'SELECT tenant_id, public_key, site_id FROM fleet_devices WHERE id = ? AND revoked_at IS NULL',
      [deviceId],
    );
    if (!row) return undefined;
    const device = { id: deviceId, tenantId: row.tenant_id, publicKey: row.public_key, siteId: row.site_id };
    activeDevices.set(deviceId, device);
    return device;
  };
  const verifier = new Ed25519DeviceMessageVerifier(async (deviceId) => (await activeDevice(deviceId))?.publicKey, clock);
  const presence = new PresenceTracker(sql, settings.inactivityTimeoutMs ?? DEFAULT_INACTIVITY_TIMEOUT_MS, clock);
  const twins = new DeviceTwins(sql, publisher, audit, clock);
  const provisioning = new FleetProvisioning({
    db: sql,
    terminals,
    access: broker.access,
    deviceUrl: broker.deviceUrl,
    audit,
    clock,
    onDeviceRevoked: async (deviceId, tenantId) => {
      activeDevices.delete(deviceId);
      verifier.forget(deviceId);
      await presence.revoked(deviceId, tenantId);
    },
    // Fever alerts go to the device's site: the next message reads the new one.
    onDeviceMoved: (deviceId) => activeDevices.delete(deviceId),
  });
  const fever = new FeverAlerts({
    db: sql,
    notifier: new StaffFeverNotifier(outgoingConnection, settings.feverWebhook, onError),
    healthConsent: parts.healthConsent ?? (async () => false),
    alertLifetimeMs: settings.feverAlertLifetimeMs ?? 3_600_000,
    clock,
  });
  const rollouts = new Rollouts({
    db: sql,
    provisioning,
    notifier: {
      notify: (deviceId, notice) => outgoingConnection().publish(downTopic(deviceId, 'jobs'), JSON.stringify(notice), { qos: 1 }),
    },
    clock,
  });
  const metrics = new FleetMetrics();
  const ingest = new FleetIngest({
    verifier,
    deviceOf: activeDevice,
    twins,
    presence,
    publisher,
    fever,
    rollouts,
    clock,
    afterHandled: settings.afterHandled,
    observer: metrics,
  });

  const handle = (message: FleetMessage): Promise<void> => ingest.handle(message);
  outgoing = await broker.connectService(`facekey-${settings.nodeId}-out`);
  let nodes: FleetNodes | undefined;
  if (broker.sharedSubscriptions) {
    // Nodes share the devices' messages (fleet-nodes.ts); with one node the shared group has one member.
    incoming = await broker.connectService(ingestClientIdOf(settings.nodeId), {
      will: FleetNodes.deathNotice(settings.nodeId),
      onMessage: handle,
    });
    // A session from before shared subscriptions would also keep its own copy of every message.
    await incoming.unsubscribe(ALL_UP_TOPICS);
    await ingest.attach(incoming, SHARED_UP_TOPICS);
    nodes = new FleetNodes({ broker, nodeId: settings.nodeId, control: outgoing, ingest: handle, onError });
    await nodes.start();
    const announcer = nodes;
    // The ingest connection's last will said "dead" when it dropped; a peer may be holding its session now.
    incoming.onReconnect(() => void announcer.announce('alive').catch(onError));
  } else {
    incoming = await broker.connectService(ingestClientIdOf(settings.nodeId), { onMessage: handle });
    await ingest.attach(incoming);
  }
  const sweepIntervalMs = settings.sweepIntervalMs ?? 10_000;
  const stopSweep = presence.sweepEvery(sweepIntervalMs, onError);
  const stopRollouts = rollouts.advanceEvery(settings.rolloutIntervalMs ?? 1_000, onError);
  const feverSweep = setInterval(() => void fever.eraseExpiredValues().catch(onError), Math.min(sweepIntervalMs, 60_000));
  feverSweep.unref();

  return {
    broker,
    provisioning,
    twins,
    presence,
    ingest,
    fever,
    rollouts,
    /** The sessions of dead or stopped nodes this node is draining. */
    borrowedSessions: (): string[] => nodes?.borrowedSessions() ?? [],
    messagesFromBorrowedSessions: (): number => nodes?.messagesFromBorrowedSessions() ?? 0,
    /** Adds the fleet's metrics to the service's /metrics registry. */
    registerMetrics(registry: Registry): void {
      metrics.register(registry, {
        db: sql,
        ingestInFlight: () => incoming?.pending ?? 0,
        borrowedSessions: () => nodes?.borrowedSessions().length ?? 0,
        screening: fever.counts,
      });
    },
    async close(): Promise<void> {
      stopSweep();
      stopRollouts();
      clearInterval(feverSweep);
      if (nodes && incoming) {
        // Stop the share coming, finish what is in hand, then let a peer drain what the session still queues.
        await incoming.unsubscribe(SHARED_UP_TOPICS).catch(onError);
        const deadline = Date.now() + 5_000;
        while (incoming.pending > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
        await nodes.announce('stopped').catch(onError);
        await nodes.close();
      }
      await incoming?.close();
      await outgoing?.close();
      await broker.close();
    },
  };
}
