/**
 * One facekey fleet node as `facekey fleet simulate` runs it: its own process (so its memory is
 * its own and it can be killed), the fleet composed exactly as `facekey serve` composes it, over
 * the simulation's database and broker. The simulator drives it over IPC (claims, registrations,
 * twin changes, the rollout, end-of-run checks), and the node reports the id of every device
 * message it handled before acknowledging it, so a message acknowledged to a device by the broker
 * and never handled by any node shows up as lost, even across a kill.
 */
import Database from 'better-sqlite3';
import type { SqlDatabase } from '../../store/sql/sql-database.js';
import { SqliteDatabase } from '../../store/sql/sqlite-database.js';
import { PostgresDatabase } from '../../store/sql/postgres-database.js';
import { GroupCommittingDatabase } from '../../store/sql/group-commit.js';
import { AuditLog } from '../../audit/audit-log.js';
import { TerminalRegistry } from '../../devices/terminal-registry.js';
import { migrateDevices } from '../../devices/device-migrations.js';
import { ConsentStore } from '../../consent/consent-store.js';
import { healthScreeningConsent } from '../../consent/health-screening-consent.js';
import { composeFleet, type Fleet } from '../../fleet/compose-fleet.js';
import { migrateFleet } from '../../fleet/fleet-migrations.js';
import { SqlDeviceCredentials } from '../../fleet/sql-device-credentials.js';
import type { FleetBroker } from '../../fleet/fleet-broker.js';
import type { HandledMessage } from '../../fleet/fleet-ingest.js';
import type { NewJob, Job } from '../../fleet/rollouts.js';
import type { ProvisionedDevice, Registration } from '../../fleet/fleet-provisioning.js';
import type { TerminalKind } from '../../devices/terminal-registry.js';
import type { PresenceState } from '../../fleet/presence-tracker.js';
import type { FleetIngestStats } from '../../fleet/fleet-ingest.js';
import type { TwinState } from '../../fleet/device-twins.js';
import { startEmbeddedBroker } from '../../transports/mqtt/aedes/embedded-broker.js';
import { connectExternalBroker } from '../../transports/mqtt/mosquitto/external-broker.js';
import { parentPeer, type IpcPeer } from './simulation-ipc.js';

export type SimulationDatabase =
  { readonly kind: 'sqlite'; readonly file: string } | { readonly kind: 'postgres'; readonly url: string; readonly schema: string };

export type SimulationBroker =
  | { readonly kind: 'embedded' }
  | {
      readonly kind: 'mosquitto';
      readonly serviceUrl: string;
      readonly access:
        | { readonly kind: 'dynamic-security' }
        | { readonly kind: 'password-file'; readonly passwordFile: string; readonly brokerPid: number };
    };

export interface NodeStart {
  readonly nodeId: string;
  readonly database: SimulationDatabase;
  readonly broker: SimulationBroker;
  readonly inactivityTimeoutMs: number;
  readonly sweepIntervalMs: number;
}

export interface NodeStats {
  readonly ingest: FleetIngestStats;
  readonly heapUsedMiB: number;
  readonly borrowedSessions: readonly string[];
  readonly messagesFromBorrowedSessions: number;
}

/** How many registrations a node works on at once: the broker adapters batch the grants underneath. */
const REGISTRATION_CONCURRENCY = 100;

export async function openSimulationDatabase(database: SimulationDatabase): Promise<SqlDatabase> {
  if (database.kind === 'postgres')
    return PostgresDatabase.open({ connectionString: database.url, schema: database.schema, maxConnections: 10 });
  const connection = new Database(database.file);
  // As the service's store opens SQLite: durable commits, waits for another writer.
  connection.pragma('journal_mode = WAL');
  connection.pragma('synchronous = FULL');
  connection.pragma('busy_timeout = 5000');
  return new SqliteDatabase(connection, true);
}

/** Batches handled ids into one IPC event; every handler waits until its batch is in the channel. */
function handledReporter(peer: IpcPeer): (message: HandledMessage) => Promise<void> {
  let batch: string[] = [];
  let sent: Promise<void> | undefined;
  return (message) => {
    if (!message.messageId) return Promise.resolve();
    batch.push(message.messageId);
    sent ??= new Promise<void>((resolve) => {
      setTimeout(() => {
        const ids = batch;
        batch = [];
        sent = undefined;
        peer.emit('handled', ids).then(resolve, () => resolve());
      }, 2);
    });
    return sent;
  };
}

export async function runSimulationNode(): Promise<number> {
  const peer = parentPeer();
  let fleet: Fleet | undefined;
  let sql: SqlDatabase | undefined;
  const stopped = new Promise<void>((resolve) => {
    peer.serve('stop', async () => {
      await fleet?.close();
      await sql?.close();
      setImmediate(resolve);
      return true;
    });
  });

  peer.serve('start', async (config: NodeStart) => {
    const opened = await openSimulationDatabase(config.database);
    // Terminal registrations share the fleet's commits too (provisioning writes both).
    sql = opened.dialect === 'sqlite' ? new GroupCommittingDatabase(opened) : opened;
    const audit = new AuditLog(sql);
    await audit.migrate();
    await migrateDevices(sql);
    await migrateFleet(sql);
    const consents = new ConsentStore(sql);
    await consents.migrate();
    const onError = (error: unknown): void => {
      process.stderr.write(`fleet node ${config.nodeId}: ${String(error)}\n`);
    };
    let broker: FleetBroker;
    if (config.broker.kind === 'embedded') {
      broker = await startEmbeddedBroker({ port: 0, host: '127.0.0.1', credentials: new SqlDeviceCredentials(sql), onError });
    } else {
      const { access } = config.broker;
      broker = await connectExternalBroker({
        url: config.broker.serviceUrl,
        nodeId: config.nodeId,
        onError,
        deviceAccess:
          access.kind === 'password-file'
            ? {
                kind: 'password-file',
                passwordFile: access.passwordFile,
                reloadBroker: () => {
                  process.kill(access.brokerPid, 'SIGHUP');
                },
              }
            : { kind: 'dynamic-security' },
      });
    }
    fleet = await composeFleet(
      { sql, terminals: new TerminalRegistry(sql, undefined, audit), audit, healthConsent: healthScreeningConsent(consents) },
      {
        broker,
        nodeId: config.nodeId,
        inactivityTimeoutMs: config.inactivityTimeoutMs,
        sweepIntervalMs: config.sweepIntervalMs,
        onError,
        afterHandled: handledReporter(peer),
      },
    );
    return { deviceUrl: broker.deviceUrl };
  });

  const running = (): Fleet => {
    if (!fleet) throw new Error('the node is not started');
    return fleet;
  };

  peer.serve('createClaims', async (p: { tenantId: string; claims: { kind: TerminalKind; siteId: string; maxUses: number }[] }) => {
    const tokens: string[] = [];
    for (const claim of p.claims) {
      const { token } = await running().provisioning.createClaim(
        p.tenantId,
        { ...claim, tags: ['sim'], expiresInSeconds: 86_400 },
        'simulator',
      );
      tokens.push(token);
    }
    return tokens;
  });

  peer.serve('register', async (p: { registrations: Registration[] }) => {
    const provisioned: ProvisionedDevice[] = new Array(p.registrations.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < p.registrations.length) {
        const i = next++;
        provisioned[i] = await running().provisioning.register(p.registrations[i]!);
      }
    };
    await Promise.all(Array.from({ length: REGISTRATION_CONCURRENCY }, worker));
    return provisioned;
  });

  peer.serve('changeDesired', async (p: { tenantId: string; deviceIds: string[]; changes: TwinState }) => {
    for (const deviceId of p.deviceIds) await running().twins.changeDesired(p.tenantId, deviceId, p.changes, 0, 'simulator');
    return p.deviceIds.length;
  });

  peer.serve('createRollout', async (p: { tenantId: string; job: NewJob }): Promise<Job> => running().rollouts.create(p.tenantId, p.job));

  peer.serve('job', async (p: { tenantId: string; jobId: string }): Promise<Job> => {
    await running().rollouts.advanceAll();
    return running().rollouts.get(p.tenantId, p.jobId);
  });

  peer.serve('presence', async (p: { tenantId: string }): Promise<Map<string, PresenceState>> => running().presence.states(p.tenantId));

  peer.serve('twinsApplied', async (p: { tenantId: string; deviceIds: string[] }): Promise<number> => {
    let applied = 0;
    for (const deviceId of p.deviceIds) if (Object.keys((await running().twins.get(p.tenantId, deviceId)).delta).length === 0) applied++;
    return applied;
  });

  peer.serve('stats', async (): Promise<NodeStats> => ({
    ingest: running().ingest.stats(),
    heapUsedMiB: Math.round(process.memoryUsage().heapUsed / 1048576),
    borrowedSessions: running().borrowedSessions(),
    messagesFromBorrowedSessions: running().messagesFromBorrowedSessions(),
  }));

  await stopped;
  // An internal child: leave once stopped, whatever timers or sockets a library still holds.
  setImmediate(() => process.exit(0));
  return 0;
}
