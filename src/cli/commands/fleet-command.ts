import { parseArgs } from 'node:util';
import type { CliCommand } from '../command.js';
import { InvalidArgument } from '../../errors/domain-errors.js';
import { simulateFleet, type SimulationReport } from '../fleet/fleet-simulation.js';

export const fleetCommand: CliCommand = {
  name: 'fleet',
  summary:
    'simulate a device fleet against the embedded broker or a private Mosquitto: provisioning, heartbeats, telemetry, twin changes, a staged engine rollout with 2% failing devices, drop-outs; prints connected, sent, acknowledged, lost, rollout outcome, ingest p99, memory',
  usage: 'facekey fleet simulate --devices N --seconds S [--broker embedded|mosquitto] [--heartbeat-seconds 30] [--json]',
  async run(argv, io) {
    const [subcommand, ...rest] = argv;
    if (subcommand !== 'simulate') throw new InvalidArgument(`unknown fleet subcommand "${subcommand ?? ''}": use simulate`);
    const { values } = parseArgs({
      args: rest,
      options: {
        devices: { type: 'string', default: '100' },
        seconds: { type: 'string', default: '60' },
        broker: { type: 'string', default: 'embedded' },
        'mosquitto-access': { type: 'string', default: 'password-file' },
        'heartbeat-seconds': { type: 'string', default: '30' },
        json: { type: 'boolean', default: false },
      },
      strict: true,
    });
    const devices = Number(values.devices);
    const seconds = Number(values.seconds);
    const heartbeatSeconds = Number(values['heartbeat-seconds']);
    if (!Number.isInteger(devices) || devices < 1 || devices > 100_000) throw new InvalidArgument('--devices must be an integer from 1 to 100000');
    if (!Number.isInteger(seconds) || seconds < 5) throw new InvalidArgument('--seconds must be an integer ≥ 5');
    if (!Number.isInteger(heartbeatSeconds) || heartbeatSeconds < 1) throw new InvalidArgument('--heartbeat-seconds must be a positive integer');
    if (values.broker !== 'embedded' && values.broker !== 'mosquitto') throw new InvalidArgument('--broker must be embedded or mosquitto');
    const mosquittoAccess = values['mosquitto-access'];
    if (mosquittoAccess !== 'password-file' && mosquittoAccess !== 'dynamic-security') throw new InvalidArgument('--mosquitto-access must be password-file or dynamic-security');
    const report = await simulateFleet({ devices, seconds, broker: values.broker, mosquittoAccess, heartbeatSeconds, progress: values.json ? undefined : (line) => io.err(line) });
    io.out(values.json ? JSON.stringify(report, null, 2) : formatReport(report));
    return report.lost === 0 ? 0 : 1;
  },
};

function formatReport(r: SimulationReport): string {
  const counts = Object.entries(r.rollout.counts)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${s} ${n}`)
    .join(', ');
  return [
    `broker           ${r.broker}`,
    `devices          ${r.devices} (provisioned in ${r.provisionSeconds} s), ${r.seconds} s run`,
    `connected        peak ${r.connected.peak}, at end ${r.connected.atEnd}`,
    `sent             ${r.sent}`,
    `acknowledged     ${r.acknowledged}`,
    `ingested         ${r.ingested}`,
    `lost             ${r.lost}`,
    `refused          ${JSON.stringify(r.refused)}`,
    `rollout          ${r.rollout.status}${r.rollout.reason ? ` (${r.rollout.reason})` : ''}; ${counts}; ${r.rollout.failingDevices} devices set to fail`,
    `twin changes     ${r.twinChanges.appliedAtEnd} of ${r.twinChanges.changed} applied`,
    `ingest           p50 ${r.ingestMs.p50} ms, p99 ${r.ingestMs.p99} ms; p99 by channel ${JSON.stringify(r.ingestMs.p99ByChannel)}`,
    `presence         ${r.presence.dropped} dropped and back; ${r.presence.mismatchesAtEnd} wrong at the end`,
    `memory (RSS)     peak ${r.memoryMiB.peak} MiB, after warm-up ${r.memoryMiB.afterWarmUp} MiB, at end ${r.memoryMiB.atEnd} MiB (facekey and simulator in one process)`,
  ].join('\n');
}
