import { parseArgs } from 'node:util';
import type { CliCommand } from '../command.js';
import { InvalidArgument } from '../../errors/domain-errors.js';
import { simulateFleet, type MemoryFigures, type SimulationReport } from '../fleet/fleet-simulation.js';
import { runSimulationNode } from '../fleet/simulation-node.js';
import { runSimulationDevices } from '../fleet/simulation-devices.js';

const USAGE =
  'facekey fleet simulate --devices N --seconds S [--broker embedded|mosquitto] [--mosquitto-access password-file|dynamic-security] [--heartbeat-seconds 30] [--nodes 1|2] [--kill-node] [--database-url URL] [--json]';

export const fleetCommand: CliCommand = {
  name: 'fleet',
  summary:
    'simulate a device fleet against facekey node processes over the embedded broker or a private Mosquitto: provisioning, heartbeats, telemetry, twin changes, a staged engine rollout with 2% failing devices, drop-outs, optionally two nodes with one killed; prints connected, sent, acknowledged, lost, rollout outcome, ingest p99, memory per process',
  usage: USAGE,
  help: [
    `usage: ${USAGE}`,
    '',
    '  --broker embedded    aedes inside the facekey node (at most 2,000 devices)',
    '  --broker mosquitto   a private Mosquitto 2 started on a free port; devices granted through its password',
    '                       file (default) or its dynamic-security plugin (slows with every device provisioned)',
    '  --nodes 2            two facekey nodes on one PostgreSQL (--database-url, default DATABASE_URL) sharing',
    '                       the devices through an MQTT shared subscription; --kill-node SIGKILLs the second at 60 %',
    '  exit status 1 when an acknowledged message was lost',
  ].join('\n'),
  async run(argv, io) {
    const [subcommand, ...rest] = argv;
    // The simulator's own child processes (simulation-ipc.ts); not for use by hand.
    if (subcommand === 'simulation-node') return runSimulationNode();
    if (subcommand === 'simulation-devices') return runSimulationDevices();
    if (subcommand !== 'simulate') throw new InvalidArgument(`unknown fleet subcommand "${subcommand ?? ''}": use simulate`);
    const { values } = parseArgs({
      args: rest,
      options: {
        devices: { type: 'string', default: '100' },
        seconds: { type: 'string', default: '60' },
        broker: { type: 'string', default: 'embedded' },
        'mosquitto-access': { type: 'string', default: 'password-file' },
        'heartbeat-seconds': { type: 'string', default: '30' },
        nodes: { type: 'string', default: '1' },
        'kill-node': { type: 'boolean', default: false },
        'database-url': { type: 'string' },
        json: { type: 'boolean', default: false },
      },
      strict: true,
    });
    const devices = Number(values.devices);
    const seconds = Number(values.seconds);
    const heartbeatSeconds = Number(values['heartbeat-seconds']);
    const nodes = Number(values.nodes);
    if (!Number.isInteger(devices) || devices < 1 || devices > 100_000)
      throw new InvalidArgument('--devices must be an integer from 1 to 100000');
    if (!Number.isInteger(seconds) || seconds < 5) throw new InvalidArgument('--seconds must be an integer ≥ 5');
    if (!Number.isInteger(heartbeatSeconds) || heartbeatSeconds < 1)
      throw new InvalidArgument('--heartbeat-seconds must be a positive integer');
    if (values.broker !== 'embedded' && values.broker !== 'mosquitto') throw new InvalidArgument('--broker must be embedded or mosquitto');
    if (nodes !== 1 && nodes !== 2) throw new InvalidArgument('--nodes must be 1 or 2');
    const mosquittoAccess = values['mosquitto-access'];
    if (mosquittoAccess !== 'password-file' && mosquittoAccess !== 'dynamic-security')
      throw new InvalidArgument('--mosquitto-access must be password-file or dynamic-security');
    const report = await simulateFleet({
      devices,
      seconds,
      broker: values.broker,
      mosquittoAccess,
      heartbeatSeconds,
      nodes,
      killNode: values['kill-node'],
      databaseUrl: values['database-url'] ?? process.env.DATABASE_URL,
      progress: values.json ? undefined : (line) => io.err(line),
    });
    io.out(values.json ? JSON.stringify(report, null, 2) : formatReport(report));
    return report.lost === 0 ? 0 : 1;
  },
};

function memoryLine(m: MemoryFigures): string {
  return `peak ${m.peak}, after warm-up (20 %) ${m.afterWarmUp}, from 20 % to the end ${m.steadyMin}–${m.steadyMax}, at end ${m.atEnd}`;
}

function formatReport(r: SimulationReport): string {
  const counts = Object.entries(r.rollout.counts)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${s} ${n}`)
    .join(', ');
  return [
    `broker           ${r.broker}`,
    `devices          ${r.devices} (provisioned in ${r.provisionSeconds} s, connected in ${r.connectSeconds} s), ${r.seconds} s run`,
    `facekey nodes    ${r.nodes}${r.killedNode ? `; node 2 killed (SIGKILL) at ${r.killedNode.atSecond} s, its session ${r.killedNode.borrowedBySurvivor ? `taken over by node 1 (${r.killedNode.messagesThroughItsSession} messages through it)` : 'NOT taken over'}` : ''}`,
    `connected        peak ${r.connected.peak}, at end ${r.connected.atEnd}`,
    `sent             ${r.sent}`,
    `acknowledged     ${r.acknowledged} (by the broker, last wills included)`,
    `handled          ${r.handled} of them; ${r.handledUnacknowledged} handled without an acknowledgement (redelivered, or cut off before the PUBACK); by node ${r.handledByNode.join(' / ')}`,
    `lost             ${r.lost}`,
    `refused          ${JSON.stringify(r.refused)}`,
    `rollout          ${r.rollout.status}${r.rollout.reason ? ` (${r.rollout.reason})` : ''}; ${counts}; ${r.rollout.failingDevices} devices set to fail`,
    `twin changes     ${r.twinChanges.appliedAtEnd} of ${r.twinChanges.changed} applied`,
    `ingest           p50 ${r.ingestMs.p50} ms, p99 ${r.ingestMs.p99} ms (node 1); p99 by channel ${JSON.stringify(r.ingestMs.p99ByChannel)}`,
    `presence         ${r.presence.dropped} dropped and back; ${r.presence.mismatchesAtEnd} wrong at the end`,
    ...r.memoryMiB.facekey.map(
      (m, i) => `memory facekey ${i + 1} RSS MiB: ${memoryLine(m)}; heap at end ${r.facekeyHeapUsedMiBAtEnd[i] ?? '–'}`,
    ),
    `memory simulator RSS MiB: ${memoryLine(r.memoryMiB.simulator)} (all its processes)`,
    ...(r.memoryMiB.mosquitto ? [`memory mosquitto RSS MiB: ${memoryLine(r.memoryMiB.mosquitto)}`] : []),
  ].join('\n');
}
