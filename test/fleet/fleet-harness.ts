/**
 * A fleet composed as the service composes it, over SQLite and a broker of the caller's choice,
 * with a controllable clock and a tenant's worth of helpers (claim, register, connect).
 */
import { randomUUID } from 'node:crypto';
import { openPostgresTestDatabase, openSqliteTestDatabase, type TestDatabase } from '../kit/test-databases.js';
import { AuditLog } from '../../src/audit/audit-log.js';
import { TerminalRegistry } from '../../src/devices/terminal-registry.js';
import { migrateDevices } from '../../src/devices/device-migrations.js';
import { composeFleet, type Fleet } from '../../src/fleet/compose-fleet.js';
import { migrateFleet } from '../../src/fleet/fleet-migrations.js';
import { SqlDeviceCredentials } from '../../src/fleet/sql-device-credentials.js';
import { startEmbeddedBroker } from '../../src/transports/mqtt/aedes/embedded-broker.js';
import { connectExternalBroker } from '../../src/transports/mqtt/mosquitto/external-broker.js';
import { startMosquitto, type MosquittoProcess } from '../../src/transports/mqtt/mosquitto/mosquitto-process.js';
import { FleetDeviceClient, newDeviceKeys, registrationFor } from '../../src/fleet/fleet-device-client.js';
import type { NewClaim } from '../../src/fleet/fleet-provisioning.js';
import type { FleetBroker } from '../../src/fleet/fleet-broker.js';
import { ConsentStore } from '../../src/consent/consent-store.js';
import { healthScreeningConsent } from '../../src/consent/health-screening-consent.js';

export class TestClock {
  private offsetMs = 0;
  readonly now = (): Date => new Date(Date.now() + this.offsetMs);
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

export interface FleetHarness {
  readonly fleet: Fleet;
  readonly audit: AuditLog;
  readonly terminals: TerminalRegistry;
  readonly consents: ConsentStore;
  readonly clock: TestClock;
  readonly tenantId: string;
  newDevice(claim?: Partial<NewClaim>): Promise<FleetDeviceClient>;
  close(): Promise<void>;
}

export interface FleetHarnessOptions {
  readonly inactivityTimeoutMs?: number;
  readonly feverWebhook?: { url: string; secret?: string };
  /** SQLite by default; PostgreSQL runs the same flows on the other dialect. */
  readonly database?: 'sqlite' | 'postgres';
}

/** `mosquitto` manages devices through the dynamic-security plugin, `mosquitto-password-file` through its password file. */
export type HarnessBroker = 'embedded' | 'mosquitto' | 'mosquitto-password-file';

export async function openFleetHarness(brokerKind: HarnessBroker, options: FleetHarnessOptions = {}): Promise<FleetHarness> {
  const database: TestDatabase = options.database === 'postgres' ? await openPostgresTestDatabase() : await openSqliteTestDatabase();
  const sql = database.db;
  const clock = new TestClock();
  const audit = new AuditLog(sql, clock.now);
  await audit.migrate();
  await migrateDevices(sql);
  await migrateFleet(sql);
  const terminals = new TerminalRegistry(sql, clock.now, audit);
  const consents = new ConsentStore(sql);
  await consents.migrate();
  let mosquitto: MosquittoProcess | undefined;
  let broker: FleetBroker;
  if (brokerKind === 'embedded') {
    broker = await startEmbeddedBroker({ port: 0, host: '127.0.0.1', credentials: new SqlDeviceCredentials(sql) });
  } else {
    mosquitto = await startMosquitto({ deviceAccess: brokerKind === 'mosquitto' ? 'dynamic-security' : 'password-file' });
    broker = await connectExternalBroker({ url: mosquitto.serviceUrl, nodeId: `test-${randomUUID()}`, deviceAccess: mosquitto.deviceAccess });
  }
  const fleet = await composeFleet(
    { sql, terminals, audit, healthConsent: healthScreeningConsent(consents) },
    {
      broker,
      nodeId: randomUUID(),
      clock: clock.now,
      inactivityTimeoutMs: options.inactivityTimeoutMs,
      sweepIntervalMs: 3_600_000,
      rolloutIntervalMs: 200,
      feverWebhook: options.feverWebhook,
    },
  );
  const tenantId = randomUUID();
  const clients: FleetDeviceClient[] = [];
  return {
    fleet,
    audit,
    terminals,
    consents,
    clock,
    tenantId,
    async newDevice(claim = {}) {
      const { token } = await fleet.provisioning.createClaim(
        tenantId,
        { kind: 'checkout', siteId: 'store-1', tags: ['pilot'], expiresInSeconds: 3600, maxUses: 1, ...claim },
        'key:admin',
      );
      const keys = newDeviceKeys();
      const provisioned = await fleet.provisioning.register(registrationFor(token, keys));
      const client = new FleetDeviceClient(provisioned, keys, clock.now);
      clients.push(client);
      return client;
    },
    async close() {
      for (const client of clients) client.drop();
      await fleet.close();
      await mosquitto?.stop();
      await database.close();
    },
  };
}

export async function eventually(predicate: () => Promise<boolean> | boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
