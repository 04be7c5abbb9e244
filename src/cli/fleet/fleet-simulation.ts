/**
 * `facekey fleet simulate`: facekey's fleet (SQLite in a temporary directory, the chosen broker)
 * and N simulated devices, each with its own key pair, claim registration and MQTT credentials, in
 * one process. Devices send heartbeats every 30 s and temperature (scanners) or checkout
 * telemetry, apply twin changes, run a staged engine rollout in which 2 % of devices fail (the
 * abort criteria must stop it), and 5 % drop off and come back. Memory is the one process's
 * (facekey + simulator together).
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { SqliteDatabase } from '../../store/sql/sqlite-database.js';
import { AuditLog } from '../../audit/audit-log.js';
import { TerminalRegistry } from '../../devices/terminal-registry.js';
import { migrateDevices } from '../../devices/device-migrations.js';
import { ConsentStore } from '../../consent/consent-store.js';
import { healthScreeningConsent } from '../../consent/health-screening-consent.js';
import { composeFleet } from '../../fleet/compose-fleet.js';
import { migrateFleet } from '../../fleet/fleet-migrations.js';
import { SqlDeviceCredentials } from '../../fleet/sql-device-credentials.js';
import { FleetDeviceClient, newDeviceKeys, registrationFor } from '../../fleet/fleet-device-client.js';
import type { FleetBroker } from '../../fleet/fleet-broker.js';
import type { Job } from '../../fleet/rollouts.js';
import { startEmbeddedBroker } from '../../transports/mqtt/aedes/embedded-broker.js';
import { connectExternalBroker } from '../../transports/mqtt/mosquitto/external-broker.js';
import { startMosquitto, type MosquittoDeviceAccessKind, type MosquittoProcess } from '../../transports/mqtt/mosquitto/mosquitto-process.js';

export interface SimulationOptions {
  readonly devices: number;
  readonly seconds: number;
  readonly broker: 'embedded' | 'mosquitto';
  /** How the private Mosquitto grants devices (default password-file: dynamic security slows with every device). */
  readonly mosquittoAccess?: MosquittoDeviceAccessKind;
  readonly heartbeatSeconds: number;
  readonly progress?: (line: string) => void;
}

export interface SimulationReport {
  readonly broker: string;
  readonly devices: number;
  readonly seconds: number;
  readonly provisionSeconds: number;
  readonly connected: { readonly peak: number; readonly atEnd: number };
  readonly sent: number;
  readonly acknowledged: number;
  readonly ingested: number;
  readonly lost: number;
  readonly refused: Readonly<Record<string, number>>;
  readonly rollout: { readonly status: string; readonly reason: string | null; readonly counts: Job['counts']; readonly failingDevices: number };
  readonly twinChanges: { readonly changed: number; readonly appliedAtEnd: number };
  readonly ingestMs: { readonly p50: number | null; readonly p99: number | null; readonly p99ByChannel: Readonly<Record<string, number | null>> };
  readonly presence: { readonly dropped: number; readonly mismatchesAtEnd: number };
  readonly memoryMiB: { readonly peak: number; readonly afterWarmUp: number; readonly atEnd: number };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function inBatches<T>(items: readonly T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(work));
}

export async function simulateFleet(options: SimulationOptions): Promise<SimulationReport> {
  const log = options.progress ?? (() => undefined);
  const dir = mkdtempSync(path.join(tmpdir(), 'facekey-fleet-sim-'));
  const connection = new Database(path.join(dir, 'fleet.sqlite'));
  connection.pragma('journal_mode = WAL');
  const sql = new SqliteDatabase(connection, true);
  let mosquitto: MosquittoProcess | undefined;
  const mib = (): number => Math.round(process.memoryUsage().rss / 1048576);
  let peakMemory = mib();
  const memoryTimer = setInterval(() => (peakMemory = Math.max(peakMemory, mib())), 500);
  try {
    const audit = new AuditLog(sql);
    await audit.migrate();
    await migrateDevices(sql);
    await migrateFleet(sql);
    const consents = new ConsentStore(sql);
    await consents.migrate();
    const terminals = new TerminalRegistry(sql, undefined, audit);
    let broker: FleetBroker;
    if (options.broker === 'mosquitto') {
      mosquitto = await startMosquitto({ deviceAccess: options.mosquittoAccess ?? 'password-file' });
      broker = await connectExternalBroker({ url: mosquitto.serviceUrl, nodeId: `simulate-${randomUUID()}`, deviceAccess: mosquitto.deviceAccess });
    } else {
      broker = await startEmbeddedBroker({ port: 0, host: '127.0.0.1', credentials: new SqlDeviceCredentials(sql) });
    }
    const fleet = await composeFleet(
      { sql, terminals, audit, healthConsent: healthScreeningConsent(consents) },
      { broker, nodeId: `simulate-${randomUUID()}`, inactivityTimeoutMs: options.heartbeatSeconds * 3 * 1000, sweepIntervalMs: 5_000 },
    );
    const tenantId = randomUUID();

    // Provisioning: one claim per 10,000 devices, each device its own key and credentials.
    const provisionStarted = Date.now();
    const devices: FleetDeviceClient[] = [];
    const kinds = ['checkout', 'checkout', 'temperature_scanner'] as const;
    for (let start = 0; start < options.devices; start += 10_000) {
      const count = Math.min(10_000, options.devices - start);
      const claims = await Promise.all(
        kinds.map((kind) => fleet.provisioning.createClaim(tenantId, { kind, siteId: `site-${start / 10_000}`, tags: ['sim'], expiresInSeconds: 86_400, maxUses: 10_000 }, 'simulator')),
      );
      await inBatches(
        Array.from({ length: count }, (_, i) => i),
        50,
        async (i) => {
          const keys = newDeviceKeys();
          const provisioned = await fleet.provisioning.register(registrationFor(claims[(start + i) % kinds.length]!.token, keys));
          devices.push(new FleetDeviceClient(provisioned, keys));
        },
      );
      log(`provisioned ${devices.length} devices`);
    }
    const provisionSeconds = (Date.now() - provisionStarted) / 1000;

    // 2 % of devices fail the engine update; every device reports the engine it runs.
    const failing = new Set(devices.filter((_, i) => i % 50 === 7).map((d) => d.id));
    let sent = 0;
    let acknowledged = 0;
    const send = (device: FleetDeviceClient, channel: 'telemetry' | 'twin/reported' | 'jobs', body: unknown): void => {
      if (!device.connected) return;
      sent++;
      device.publish(channel, body).then(
        () => acknowledged++,
        () => undefined,
      );
    };
    for (const device of devices) {
      // What the device runs; a report is always the whole of it.
      let state: Record<string, unknown> = { engine: { id: 'dlib-resnet', version: '1.0.0' } };
      device.onJob((notice) => {
        if (notice.action !== 'run') return;
        if (failing.has(device.id)) return send(device, 'jobs', { jobId: notice.jobId, status: 'failed' });
        state = { ...state, engine: notice.document.engine };
        send(device, 'twin/reported', { state });
        send(device, 'jobs', { jobId: notice.jobId, status: 'succeeded' });
      });
      device.onDesired((document) => {
        state = { ...state, ...document.state };
        send(device, 'twin/reported', { appliedDesiredVersion: document.version, state });
      });
    }
    await inBatches(devices, 100, (device) => device.connect({ keepaliveSeconds: options.heartbeatSeconds * 2 }));
    let peakConnected = devices.filter((d) => d.connected).length;
    log(`connected ${peakConnected}`);

    // The run: heartbeats spread over the interval, plus the scheduled events.
    const started = Date.now();
    const periodMs = options.heartbeatSeconds * 1000;
    const nextDue = devices.map((_, i) => started + (i / devices.length) * periodMs);
    const durationMs = options.seconds * 1000;
    const twinTargets = devices.filter((_, i) => i % 10 === 0);
    const dropped = devices.filter((_, i) => i % 20 === 3);
    let job: Job | undefined;
    let afterWarmUp = 0;
    const events = [
      { at: 0.1, run: async () => void (afterWarmUp = mib()) },
      {
        at: 0.2,
        run: async () => {
          for (const device of twinTargets) await fleet.twins.changeDesired(tenantId, device.id, { kioskLanguage: 'de-CH', temperatureThresholdC: 37.8 }, 0, 'simulator');
          log(`changed ${twinTargets.length} twins`);
        },
      },
      {
        at: 0.3,
        run: async () => {
          job = await fleet.rollouts.create(tenantId, {
            document: { engine: { id: 'dlib-resnet', version: '2.0.0' } },
            target: { tag: 'sim' },
            phases: [0.05, 0.25, 1],
            abort: { failureTypes: ['failed', 'timed_out'], thresholdPercent: 1.5, minExecuted: Math.max(1, Math.min(100, Math.floor(devices.length * 0.05))) },
            inProgressTimeoutMs: 60_000,
            maxPerSecond: 200,
          });
          log('rollout started');
        },
      },
      {
        at: 0.5,
        run: async () => {
          for (const device of dropped) device.drop();
          log(`dropped ${dropped.length} devices`);
        },
      },
      {
        at: 0.7,
        run: async () => {
          await inBatches(dropped, 100, (device) => device.connect({ keepaliveSeconds: options.heartbeatSeconds * 2 }));
          log(`reconnected ${dropped.length} devices`);
        },
      },
    ];
    let eventIndex = 0;
    while (Date.now() - started < durationMs) {
      const now = Date.now();
      while (eventIndex < events.length && now - started >= events[eventIndex]!.at * durationMs) await events[eventIndex++]!.run();
      for (let i = 0; i < devices.length; i++) {
        if (nextDue[i]! > now) continue;
        nextDue[i] = now + periodMs;
        const device = devices[i]!;
        send(device, 'telemetry', { type: 'heartbeat' });
        if (device.provisioned.device.kind === 'temperature_scanner')
          send(device, 'telemetry', { type: 'temperature', eventId: randomUUID(), temperature: 36.4 + (i % 17) / 10, unit: 'C', alarmThreshold: 37.5, faces: 1, ambient: 22 });
        else send(device, 'telemetry', { type: 'checkout', outcome: 'approved' });
      }
      peakConnected = Math.max(peakConnected, devices.filter((d) => d.connected).length);
      await sleep(100);
    }
    while (eventIndex < events.length) await events[eventIndex++]!.run();

    // Drain: wait until facekey has handled everything the broker acknowledged.
    const counted = (): number => {
      const c = fleet.ingest.stats().byChannel;
      return (c.telemetry ?? 0) + (c['twin/reported'] ?? 0) + (c.jobs ?? 0);
    };
    const drainDeadline = Date.now() + 60_000;
    while ((counted() < acknowledged || acknowledged < sent) && Date.now() < drainDeadline) await sleep(200);
    await fleet.rollouts.advanceAll();
    const rollout = job ? await fleet.rollouts.get(tenantId, job.id) : undefined;

    let mismatches = 0;
    for (const device of devices) {
      const presence = await fleet.presence.get(tenantId, device.id);
      if ((presence?.state === 'online') !== device.connected) mismatches++;
    }
    let applied = 0;
    for (const device of twinTargets) if (Object.keys((await fleet.twins.get(tenantId, device.id)).delta).length === 0) applied++;
    const stats = fleet.ingest.stats();
    const report: SimulationReport = {
      broker: options.broker === 'mosquitto' ? 'mosquitto 2 (dynamic security), started by the simulator' : 'embedded (aedes)',
      devices: devices.length,
      seconds: options.seconds,
      provisionSeconds: Math.round(provisionSeconds * 10) / 10,
      connected: { peak: peakConnected, atEnd: devices.filter((d) => d.connected).length },
      sent,
      acknowledged,
      ingested: counted(),
      lost: Math.max(0, acknowledged - counted()),
      refused: stats.rejected,
      rollout: { status: rollout?.status ?? 'not started', reason: rollout?.statusReason ?? null, counts: rollout?.counts ?? ({} as Job['counts']), failingDevices: failing.size },
      twinChanges: { changed: twinTargets.length, appliedAtEnd: applied },
      ingestMs: { p50: stats.ingestP50Ms, p99: stats.ingestP99Ms, p99ByChannel: stats.ingestP99MsByChannel },
      presence: { dropped: dropped.length, mismatchesAtEnd: mismatches },
      memoryMiB: { peak: peakMemory, afterWarmUp, atEnd: mib() },
    };
    for (const device of devices) device.drop();
    await fleet.close();
    return report;
  } finally {
    clearInterval(memoryTimer);
    await sql.close();
    await mosquitto?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
