/**
 * `facekey fleet simulate`: N simulated devices against one or two facekey fleet nodes, each in
 * its own process, over the embedded broker or a private Mosquitto the simulator starts. Devices
 * (spread over worker processes) register with claims, each with its own key and credentials, send
 * a heartbeat and a temperature or checkout event every heartbeat period, apply twin changes, run
 * a staged engine rollout in which 2 % of them fail (the abort criteria must stop it), and 5 % drop
 * off and come back. With two nodes (PostgreSQL, MQTT shared subscription) the second node can be
 * killed with SIGKILL mid-run.
 *
 * Loss is counted by message id: every message the broker acknowledged to a device (and every last
 * will it holds for a dropped one) must be reported handled by a node, and a node reports a message
 * before it acknowledges it; so what a killed node handled is counted, and what it never
 * acknowledged must be handled by the survivor. Memory is read per process from /proc.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import pg from 'pg';
import { InvalidArgument } from '../../errors/domain-errors.js';
import type { Job, NewJob } from '../../fleet/rollouts.js';
import type { ProvisionedDevice, Registration } from '../../fleet/fleet-provisioning.js';
import type { PresenceState } from '../../fleet/presence-tracker.js';
import type { TerminalKind } from '../../devices/terminal-registry.js';
import {
  startMosquitto,
  type MosquittoDeviceAccessKind,
  type MosquittoProcess,
} from '../../transports/mqtt/mosquitto/mosquitto-process.js';
import { EMBEDDED_BROKER_DEVICE_LIMIT } from '../../transports/mqtt/aedes/embedded-broker.js';
import { forkFleetProcess, residentMiB, type IpcPeer } from './simulation-ipc.js';
import type { NodeStart, NodeStats, SimulationBroker, SimulationDatabase } from './simulation-node.js';
import { isFailingDevice, type DeviceCounters } from './simulation-devices.js';

/** Devices per worker process, well inside one process's file limit. */
const DEVICES_PER_WORKER = 5_000;
const REGISTRATION_CHUNK = 500;
const CONNECT_CONCURRENCY_PER_WORKER = 100;
const CLAIM_MAX_USES = 10_000;
const DRAIN_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 15_000;

export interface SimulationOptions {
  readonly devices: number;
  readonly seconds: number;
  readonly broker: 'embedded' | 'mosquitto';
  /** How the private Mosquitto grants devices (default password-file: dynamic security slows with every device). */
  readonly mosquittoAccess?: MosquittoDeviceAccessKind;
  readonly heartbeatSeconds: number;
  /** facekey nodes; two need Mosquitto (shared subscriptions) and PostgreSQL (`databaseUrl`). */
  readonly nodes?: 1 | 2;
  /** SIGKILL the second node at 60 % of the run. */
  readonly killNode?: boolean;
  readonly databaseUrl?: string;
  readonly progress?: (line: string) => void;
}

export interface MemoryFigures {
  readonly peak: number;
  /** At 20 % of the run: connections made, every device through a heartbeat period. */
  readonly afterWarmUp: number | null;
  readonly atEnd: number | null;
  /** The lowest and highest sample from 20 % to the end: how flat it stayed. */
  readonly steadyMin: number | null;
  readonly steadyMax: number | null;
  /** At 0 %, 10 %, …, 100 % of the run. */
  readonly byTenth: readonly (number | null)[];
}

export interface SimulationReport {
  readonly broker: string;
  readonly devices: number;
  readonly seconds: number;
  readonly nodes: number;
  readonly killedNode: {
    readonly atSecond: number;
    readonly borrowedBySurvivor: boolean;
    /** Messages node 1 received through node 2's session: what node 2 left unacknowledged, then its share. */
    readonly messagesThroughItsSession: number;
  } | null;
  readonly provisionSeconds: number;
  readonly connectSeconds: number;
  readonly connected: { readonly peak: number; readonly atEnd: number };
  readonly sent: number;
  readonly acknowledged: number;
  /** Acknowledged and handled. */
  readonly handled: number;
  readonly lost: number;
  /** Handled but never acknowledged to a device: redeliveries handled twice, or a device cut off before the broker's PUBACK. */
  readonly handledUnacknowledged: number;
  /** Messages each node reported handled (its share of the shared subscription). */
  readonly handledByNode: readonly number[];
  readonly refused: Readonly<Record<string, number>>;
  readonly rollout: {
    readonly status: string;
    readonly reason: string | null;
    readonly counts: Job['counts'];
    readonly failingDevices: number;
  };
  readonly twinChanges: { readonly changed: number; readonly appliedAtEnd: number };
  readonly ingestMs: {
    readonly p50: number | null;
    readonly p99: number | null;
    readonly p99ByChannel: Readonly<Record<string, number | null>>;
  };
  readonly presence: { readonly dropped: number; readonly mismatchesAtEnd: number };
  readonly memoryMiB: {
    readonly facekey: readonly MemoryFigures[];
    readonly simulator: MemoryFigures;
    readonly mosquitto: MemoryFigures | null;
  };
  readonly facekeyHeapUsedMiBAtEnd: readonly (number | null)[];
}

interface Child {
  readonly child: ChildProcess;
  readonly peer: IpcPeer;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Samples processes' resident memory once a second. */
class MemorySampler {
  private readonly peaks = new Map<string, number>();
  private readonly tenths = new Map<string, (number | null)[]>();
  private readonly steady = new Map<string, { min: number; max: number }>();
  private runStart: number | undefined;
  private runMs = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly pids: () => Map<string, readonly (number | undefined)[]>) {
    this.timer = setInterval(() => void this.sample(), 1000);
  }

  startRun(durationMs: number): void {
    this.runStart = Date.now();
    this.runMs = durationMs;
  }

  async sample(): Promise<Map<string, number | null>> {
    const now = new Map<string, number | null>();
    for (const [name, pids] of this.pids()) {
      const values = await Promise.all(pids.map(residentMiB));
      const alive = values.filter((v): v is number => v !== null);
      const total = alive.length === 0 ? null : alive.reduce((a, b) => a + b, 0);
      now.set(name, total);
      if (total === null) continue;
      this.peaks.set(name, Math.max(this.peaks.get(name) ?? 0, total));
      if (this.runStart !== undefined) {
        const fraction = (Date.now() - this.runStart) / this.runMs;
        if (fraction >= 0.2) {
          const s = this.steady.get(name) ?? { min: total, max: total };
          this.steady.set(name, { min: Math.min(s.min, total), max: Math.max(s.max, total) });
        }
      }
    }
    return now;
  }

  async markTenth(tenth: number): Promise<void> {
    for (const [name, value] of await this.sample()) {
      const list = this.tenths.get(name) ?? Array<number | null>(11).fill(null);
      list[tenth] = value;
      this.tenths.set(name, list);
    }
  }

  figures(name: string, atEnd: number | null): MemoryFigures {
    const byTenth = this.tenths.get(name) ?? Array<number | null>(11).fill(null);
    const steady = this.steady.get(name);
    return {
      peak: this.peaks.get(name) ?? 0,
      afterWarmUp: byTenth[2] ?? null,
      atEnd,
      steadyMin: steady?.min ?? null,
      steadyMax: steady?.max ?? null,
      byTenth,
    };
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

async function stopOrKill({ child, peer }: Child): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, STOP_TIMEOUT_MS)));
  await Promise.race([peer.request('stop').catch(() => undefined), timeout]);
  clearTimeout(timer);
  const running = (): boolean => child.exitCode === null && child.signalCode === null;
  for (let waited = 0; running() && waited < 2_000; waited += 50) await sleep(50);
  if (running()) child.kill('SIGKILL');
}

function validate(options: SimulationOptions): void {
  const nodes = options.nodes ?? 1;
  if (options.broker === 'embedded' && options.devices > EMBEDDED_BROKER_DEVICE_LIMIT)
    throw new InvalidArgument(
      `the embedded broker is limited to ${EMBEDDED_BROKER_DEVICE_LIMIT} devices (aedes overflowed its stack at 3,000 and 5,000, inside facekey's process); use --broker mosquitto`,
    );
  if (nodes === 2 && options.broker !== 'mosquitto')
    throw new InvalidArgument('two nodes share the fleet through MQTT shared subscriptions: use --broker mosquitto');
  if (nodes === 2 && !options.databaseUrl)
    throw new InvalidArgument('two nodes share one PostgreSQL: give --database-url (or DATABASE_URL)');
  if (options.killNode && nodes !== 2) throw new InvalidArgument('--kill-node needs --nodes 2');
}

export async function simulateFleet(options: SimulationOptions): Promise<SimulationReport> {
  validate(options);
  const log = options.progress ?? (() => undefined);
  const nodeCount = options.nodes ?? 1;
  const dir = mkdtempSync(path.join(tmpdir(), 'facekey-fleet-sim-'));
  const nodes: Child[] = [];
  const workers: Child[] = [];
  let mosquitto: MosquittoProcess | undefined;
  let schema: string | undefined;
  const sampler = new MemorySampler(
    () =>
      new Map<string, readonly (number | undefined)[]>([
        ...nodes.map((node, i): [string, (number | undefined)[]] => [`facekey-${i + 1}`, [node.child.pid]]),
        ['simulator', [process.pid, ...workers.map((w) => w.child.pid)]],
        ['mosquitto', [mosquitto?.pid]],
      ]),
  );
  // Ctrl-C or kill: the children leave by themselves when their channel closes (parentPeer), but the
  // private broker is this process's to stop, or it outlives the run holding its port.
  const interrupted = (signal: NodeJS.Signals): void => {
    if (mosquitto?.pid) process.kill(mosquitto.pid, 'SIGTERM');
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    // The broker and the database.
    let broker: SimulationBroker = { kind: 'embedded' };
    if (options.broker === 'mosquitto') {
      mosquitto = await startMosquitto({ deviceAccess: options.mosquittoAccess ?? 'password-file', maxInflightMessages: 1000 });
      const access = mosquitto.deviceAccess;
      broker = {
        kind: 'mosquitto',
        serviceUrl: mosquitto.serviceUrl,
        access:
          access.kind === 'password-file'
            ? { kind: 'password-file', passwordFile: access.passwordFile, brokerPid: mosquitto.pid }
            : { kind: 'dynamic-security' },
      };
    }
    let database: SimulationDatabase = { kind: 'sqlite', file: path.join(dir, 'fleet.sqlite') };
    if (nodeCount === 2) {
      schema = `facekey_fleet_sim_${randomBytes(6).toString('hex')}`;
      database = { kind: 'postgres', url: options.databaseUrl!, schema };
    }

    // facekey: one node, or two on one PostgreSQL (the first migrates).
    const runId = randomBytes(3).toString('hex');
    for (let n = 1; n <= nodeCount; n++) {
      const node = forkFleetProcess('simulation-node', `facekey node ${n}`);
      nodes.push(node);
      const start: NodeStart = {
        nodeId: `sim${n}-${runId}`,
        database,
        broker,
        inactivityTimeoutMs: options.heartbeatSeconds * 3 * 1000,
        sweepIntervalMs: 5_000,
      };
      await node.peer.request('start', start);
    }
    const admin = nodes[0]!.peer;

    // Message accounting: acknowledged by the broker (devices) against handled (nodes).
    const acknowledgedPending = new Set<string>();
    const handledPending = new Set<string>();
    let matched = 0;
    const handledByNode = nodes.map(() => 0);
    nodes.forEach((node, n) =>
      node.peer.on<string[]>('handled', (ids) => {
        handledByNode[n]! += ids.length;
        for (const id of ids) {
          if (acknowledgedPending.delete(id)) matched++;
          else handledPending.add(id);
        }
      }),
    );

    // Devices, over worker processes.
    const workerCount = Math.ceil(options.devices / DEVICES_PER_WORKER);
    for (let w = 0; w < workerCount; w++) {
      const worker = forkFleetProcess('simulation-devices', `device worker ${w + 1}`);
      worker.peer.on<string[]>('acknowledged', (ids) => {
        for (const id of ids) {
          if (handledPending.delete(id)) matched++;
          else acknowledgedPending.add(id);
        }
      });
      await worker.peer.request('configure', { heartbeatSeconds: options.heartbeatSeconds });
      workers.push(worker);
    }
    const indicesOf = (w: number): number[] => Array.from({ length: options.devices }, (_, i) => i).filter((i) => i % workerCount === w);
    const workerOf = (index: number): Child => workers[index % workerCount]!;

    // Provisioning: claims per kind (at most 10,000 uses each), every device its own key and credentials.
    const tenantId = randomUUID();
    const kinds: TerminalKind[] = ['checkout', 'checkout', 'temperature_scanner'];
    const claimsFor = new Map<number, string[]>();
    for (let k = 0; k < kinds.length; k++) {
      const count = Math.ceil((options.devices - k) / kinds.length);
      const claims = Array.from({ length: Math.max(1, Math.ceil(count / CLAIM_MAX_USES)) }, (_, c) => ({
        kind: kinds[k]!,
        siteId: `site-${k}-${c}`,
        maxUses: CLAIM_MAX_USES,
      }));
      claimsFor.set(k, await admin.request<string[]>('createClaims', { tenantId, claims }));
    }
    const tokenOf = (index: number): string =>
      claimsFor.get(index % kinds.length)![Math.floor(Math.floor(index / kinds.length) / CLAIM_MAX_USES)]!;
    const provisionStarted = Date.now();
    let provisioned = 0;
    await Promise.all(
      workers.map(async (worker, w) => {
        const indices = indicesOf(w);
        for (let c = 0; c < indices.length; c += REGISTRATION_CHUNK) {
          const items = indices.slice(c, c + REGISTRATION_CHUNK).map((index) => ({ index, claimToken: tokenOf(index) }));
          const registrations = await worker.peer.request<Registration[]>('registrations', { items });
          const devices = await admin.request<ProvisionedDevice[]>('register', { registrations });
          await worker.peer.request('attach', { items: items.map(({ index }, i) => ({ index, provisioned: devices[i]! })) });
          provisioned += items.length;
          if (provisioned % 2_000 < REGISTRATION_CHUNK)
            log(`provisioned ${provisioned} devices (${((Date.now() - provisionStarted) / 1000).toFixed(1)} s)`);
        }
      }),
    );
    const provisionSeconds = (Date.now() - provisionStarted) / 1000;
    log(`provisioned ${provisioned} devices in ${provisionSeconds.toFixed(1)} s`);

    // The connection ramp.
    const connectStarted = Date.now();
    const connectedCounts = await Promise.all(
      workers.map((w) => w.peer.request<number>('connect', { concurrency: CONNECT_CONCURRENCY_PER_WORKER })),
    );
    const connectSeconds = (Date.now() - connectStarted) / 1000;
    let peakConnected = connectedCounts.reduce((a, b) => a + b, 0);
    log(`connected ${peakConnected} devices in ${connectSeconds.toFixed(1)} s`);

    // The run.
    const durationMs = options.seconds * 1000;
    const started = Date.now();
    sampler.startRun(durationMs);
    await sampler.markTenth(0);
    for (const worker of workers)
      await worker.peer.request('startTraffic', {
        startedAt: started,
        periodMs: options.heartbeatSeconds * 1000,
        fleetSize: options.devices,
      });
    const all = Array.from({ length: options.devices }, (_, i) => i);
    const twinTargets = all.filter((i) => i % 10 === 0);
    const dropped = all.filter((i) => i % 20 === 3);
    const idsOf = async (indices: readonly number[]): Promise<string[]> =>
      (
        await Promise.all(workers.map((w, n) => w.peer.request<string[]>('ids', { indices: indices.filter((i) => i % workerCount === n) })))
      ).flat();
    let job: Job | undefined;
    let killedAt: number | undefined;
    const events: { at: number; run: () => Promise<void> }[] = [
      {
        at: 0.2,
        run: async () => {
          const changed = await admin.request<number>('changeDesired', {
            tenantId,
            deviceIds: await idsOf(twinTargets),
            changes: { kioskLanguage: 'de-CH', temperatureThresholdC: 37.8 },
          });
          log(`changed ${changed} twins`);
        },
      },
      {
        at: 0.3,
        run: async () => {
          const newJob: NewJob = {
            document: { engine: { id: 'dlib-resnet', version: '2.0.0' } },
            target: { tag: 'sim' },
            phases: [0.05, 0.25, 1],
            abort: {
              failureTypes: ['failed', 'timed_out'],
              thresholdPercent: 1.5,
              minExecuted: Math.max(1, Math.min(100, Math.floor(options.devices * 0.05))),
            },
            inProgressTimeoutMs: 60_000,
            maxPerSecond: 200,
          };
          job = await admin.request<Job>('createRollout', { tenantId, job: newJob });
          log('rollout started');
        },
      },
      {
        at: 0.5,
        run: async () => {
          await Promise.all(workers.map((w, n) => w.peer.request('drop', { indices: dropped.filter((i) => i % workerCount === n) })));
          log(`dropped ${dropped.length} devices`);
        },
      },
      ...(options.killNode
        ? [
            {
              at: 0.6,
              run: async () => {
                nodes[1]!.child.kill('SIGKILL');
                killedAt = (Date.now() - started) / 1000;
                log(`killed facekey node 2 (SIGKILL) at ${killedAt.toFixed(0)} s`);
              },
            },
          ]
        : []),
      {
        at: 0.7,
        run: async () => {
          await Promise.all(
            workers.map((w, n) =>
              w.peer.request('connect', {
                indices: dropped.filter((i) => i % workerCount === n),
                concurrency: CONNECT_CONCURRENCY_PER_WORKER,
              }),
            ),
          );
          log(`reconnected ${dropped.length} devices`);
        },
      },
    ];
    let tenth = 1;
    while (Date.now() - started < durationMs) {
      const fraction = (Date.now() - started) / durationMs;
      while (events.length > 0 && fraction >= events[0]!.at) await events.shift()!.run();
      while (tenth <= 10 && fraction >= tenth / 10) await sampler.markTenth(tenth++);
      const counters = await Promise.all(workers.map((w) => w.peer.request<DeviceCounters>('counters')));
      peakConnected = Math.max(
        peakConnected,
        counters.reduce((a, c) => a + c.connected, 0),
      );
      await sleep(1000);
    }
    for (const event of events) await event.run();
    for (const worker of workers) await worker.peer.request('stopTraffic');
    while (tenth <= 10) await sampler.markTenth(tenth++);

    // Drain: everything acknowledged must have been handled; give the reports a moment to arrive.
    const drainDeadline = Date.now() + DRAIN_TIMEOUT_MS;
    await sleep(2_000);
    while (acknowledgedPending.size > 0 && Date.now() < drainDeadline) await sleep(500);
    log(`drained: ${acknowledgedPending.size} acknowledged messages not handled`);

    const survivor = admin;
    const rollout = job ? await survivor.request<Job>('job', { tenantId, jobId: job.id }) : undefined;
    const states = await survivor.request<Map<string, PresenceState>>('presence', { tenantId });
    const connectedIds = new Set((await Promise.all(workers.map((w) => w.peer.request<string[]>('connectedIds')))).flat());
    const allIds = await idsOf(all);
    const mismatches = allIds.filter((id) => (states.get(id) === 'online') !== connectedIds.has(id)).length;
    const applied = await survivor.request<number>('twinsApplied', { tenantId, deviceIds: await idsOf(twinTargets) });
    const counters = await Promise.all(workers.map((w) => w.peer.request<DeviceCounters>('counters')));
    const nodeStats = await Promise.all(nodes.map((n) => n.peer.request<NodeStats>('stats').catch(() => null)));
    const memoryNow = await sampler.sample();
    const firstStats = nodeStats[0]!;
    const refused: Record<string, number> = {};
    for (const stats of nodeStats)
      for (const [reason, n] of Object.entries(stats?.ingest.rejected ?? {})) refused[reason] = (refused[reason] ?? 0) + n;

    return {
      broker:
        options.broker === 'mosquitto'
          ? `mosquitto 2 (${options.mosquittoAccess ?? 'password-file'}), started by the simulator`
          : 'embedded (aedes), inside the facekey node',
      devices: options.devices,
      seconds: options.seconds,
      nodes: nodeCount,
      killedNode:
        killedAt === undefined
          ? null
          : {
              atSecond: Math.round(killedAt),
              borrowedBySurvivor: (firstStats?.borrowedSessions.length ?? 0) > 0,
              messagesThroughItsSession: firstStats?.messagesFromBorrowedSessions ?? 0,
            },
      provisionSeconds: Math.round(provisionSeconds * 10) / 10,
      connectSeconds: Math.round(connectSeconds * 10) / 10,
      connected: { peak: peakConnected, atEnd: connectedIds.size },
      sent: counters.reduce((a, c) => a + c.sent, 0),
      acknowledged: matched + acknowledgedPending.size,
      handled: matched,
      lost: acknowledgedPending.size,
      handledUnacknowledged: handledPending.size,
      handledByNode,
      refused,
      rollout: {
        status: rollout?.status ?? 'not started',
        reason: rollout?.statusReason ?? null,
        counts: rollout?.counts ?? ({} as Job['counts']),
        failingDevices: all.filter(isFailingDevice).length,
      },
      twinChanges: { changed: twinTargets.length, appliedAtEnd: applied },
      ingestMs: {
        p50: firstStats?.ingest.ingestP50Ms ?? null,
        p99: firstStats?.ingest.ingestP99Ms ?? null,
        p99ByChannel: firstStats?.ingest.ingestP99MsByChannel ?? {},
      },
      presence: { dropped: dropped.length, mismatchesAtEnd: mismatches },
      memoryMiB: {
        facekey: nodes.map((_, i) => sampler.figures(`facekey-${i + 1}`, memoryNow.get(`facekey-${i + 1}`) ?? null)),
        simulator: sampler.figures('simulator', memoryNow.get('simulator') ?? null),
        mosquitto: mosquitto ? sampler.figures('mosquitto', memoryNow.get('mosquitto') ?? null) : null,
      },
      facekeyHeapUsedMiBAtEnd: nodeStats.map((s) => s?.heapUsedMiB ?? null),
    };
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    sampler.stop();
    // Nodes first: the workers' goodbyes would otherwise flood nodes that are shutting down. A child
    // that does not stop in time is killed, so a failed run still ends and reports.
    for (const child of [...nodes, ...workers]) await stopOrKill(child);
    await mosquitto?.stop();
    if (schema && options.databaseUrl) {
      const client = new pg.Client({ connectionString: options.databaseUrl });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    }
    rmSync(dir, { recursive: true, force: true });
  }
}
