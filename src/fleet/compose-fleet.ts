/**
 * Builds the fleet over one SQL database and one broker: provisioning, twins, presence and the
 * ingest of device messages on facekey's own broker connection. The service and the tests compose
 * the fleet here, so what is tested is what runs.
 */
import type { SqlDatabase } from '../store/sql/sql-database.js';
import type { AuditSink } from '../audit/audit-sink.js';
import type { TerminalRegistry } from '../devices/terminal-registry.js';
import type { FleetBroker, FleetConnection } from './fleet-broker.js';
import { migrateFleet } from './fleet-migrations.js';
import { FleetProvisioning } from './fleet-provisioning.js';
import { DeviceTwins } from './device-twins.js';
import { PresenceTracker } from './presence-tracker.js';
import { Ed25519DeviceMessageVerifier } from './device-message-signature.js';
import { BrokerDesiredPublisher, FleetIngest } from './fleet-ingest.js';

export interface FleetSettings {
  readonly broker: FleetBroker;
  /** Names this facekey node's broker session; stable across restarts. */
  readonly nodeId: string;
  /** Silence after which facekey marks a device offline itself (default 90 s: three missed 30 s heartbeats). */
  readonly inactivityTimeoutMs?: number;
  readonly sweepIntervalMs?: number;
  readonly clock?: () => Date;
  readonly onError?: (error: unknown) => void;
}

export interface FleetParts {
  readonly sql: SqlDatabase;
  readonly terminals: TerminalRegistry;
  readonly audit: AuditSink;
}

export type Fleet = Awaited<ReturnType<typeof composeFleet>>;

export const DEFAULT_INACTIVITY_TIMEOUT_MS = 90_000;

export async function composeFleet(parts: FleetParts, settings: FleetSettings) {
  const { sql, terminals, audit } = parts;
  const { broker } = settings;
  const clock = settings.clock ?? (() => new Date());
  await migrateFleet(sql);

  let connection: FleetConnection | undefined;
  const publisher = new BrokerDesiredPublisher(() => {
    if (!connection) throw new Error('the fleet is not connected to its broker');
    return connection;
  });
  // Active devices' tenant and key, read once per device: every message needs both.
  const activeDevices = new Map<string, { tenantId: string; publicKey: string }>();
  const activeDevice = async (deviceId: string): Promise<{ tenantId: string; publicKey: string } | undefined> => {
    const cached = activeDevices.get(deviceId);
    if (cached) return cached;
    const row = await sql.get<{ tenant_id: string; public_key: string }>(
      'SELECT tenant_id, public_key FROM fleet_devices WHERE id = ? AND revoked_at IS NULL',
      [deviceId],
    );
    if (!row) return undefined;
    const device = { tenantId: row.tenant_id, publicKey: row.public_key };
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
      await presence.offline(deviceId, tenantId, 'revoked');
    },
  });
  const ingest = new FleetIngest({ verifier, tenantOf: async (id) => (await activeDevice(id))?.tenantId, twins, presence, publisher, clock, onError: settings.onError ?? (() => undefined) });

  await presence.load();
  connection = await broker.connectService(`facekey-${settings.nodeId}`);
  await ingest.attach(connection);
  const stopSweep = presence.sweepEvery(settings.sweepIntervalMs ?? 10_000, settings.onError ?? (() => undefined));

  return {
    broker,
    provisioning,
    twins,
    presence,
    ingest,
    async close(): Promise<void> {
      stopSweep();
      await connection?.close();
      await broker.close();
    },
  };
}
