/**
 * A process of simulated devices for `facekey fleet simulate`: each device has its own Ed25519
 * key, registers with a claim, holds its own MQTT connection with its own credentials, says
 * "online" with a signed last will, follows its desired state, runs rollout jobs (2 % of devices
 * fail them) and sends a heartbeat plus a temperature (scanners) or checkout event every heartbeat
 * period. The simulator spreads the fleet over several such processes: one process may hold no more
 * sockets than its file limit, and one event loop would otherwise carry every device's signing.
 *
 * It reports the id of every message the broker acknowledged (and of every last will the broker
 * holds when a device drops), which the simulator matches with what the facekey nodes handled.
 */
import { randomUUID } from 'node:crypto';
import { FleetDeviceClient, newDeviceKeys, registrationFor, type DeviceKeys } from '../../fleet/fleet-device-client.js';
import type { ProvisionedDevice, Registration } from '../../fleet/fleet-provisioning.js';
import type { UpChannel } from '../../fleet/fleet-topics.js';
import { parentPeer } from './simulation-ipc.js';

const CONNECT_ATTEMPTS = 5;

/** One in fifty devices fails the engine update: 2 %, over the rollout's 1.5 % abort threshold. */
export const isFailingDevice = (index: number): boolean => index % 50 === 7;

interface SimulatedDevice {
  readonly index: number;
  readonly client: FleetDeviceClient;
  /** What the device runs; a report is always the whole of it. */
  state: Record<string, unknown>;
}

export interface DeviceCounters {
  readonly sent: number;
  readonly acknowledged: number;
  readonly connected: number;
}

export async function runSimulationDevices(): Promise<number> {
  const peer = parentPeer();
  const keys = new Map<number, DeviceKeys>();
  const devices: SimulatedDevice[] = [];
  let heartbeatSeconds = 30;
  let sent = 0;
  let acknowledged = 0;
  let ackedBatch: string[] = [];
  const flushAcked = setInterval(() => {
    if (ackedBatch.length === 0) return;
    const ids = ackedBatch;
    ackedBatch = [];
    void peer.emit('acknowledged', ids).catch(() => undefined);
  }, 50);
  let traffic: NodeJS.Timeout | undefined;

  const send = (device: SimulatedDevice, channel: UpChannel, body: unknown): void => {
    if (!device.client.connected) return;
    sent++;
    device.client.publish(channel, body).then(
      (id) => {
        acknowledged++;
        ackedBatch.push(id);
      },
      // Cut off before the broker's PUBACK: never acknowledged, so never owed.
      () => undefined,
    );
  };

  /** Like a device in the field: a refused or dropped connection attempt is tried again a little later. */
  const connect = async (device: SimulatedDevice): Promise<boolean> => {
    for (let attempt = 1; attempt <= CONNECT_ATTEMPTS; attempt++) {
      try {
        const onlineId = await device.client.connect({ keepaliveSeconds: heartbeatSeconds * 2 });
        sent++;
        acknowledged++;
        ackedBatch.push(onlineId);
        return true;
      } catch {
        device.client.drop();
        await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
      }
    }
    return false;
  };

  const inBatches = async <T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<unknown>): Promise<void> => {
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(concurrency, items.length) }, async () => {
        while (next < items.length) await work(items[next++]!);
      }),
    );
  };

  const byIndex = (indices: readonly number[]): SimulatedDevice[] => {
    const wanted = new Set(indices);
    return devices.filter((d) => wanted.has(d.index));
  };

  peer.serve('configure', async (p: { heartbeatSeconds: number }) => {
    heartbeatSeconds = p.heartbeatSeconds;
    return true;
  });

  peer.serve('registrations', async (p: { items: { index: number; claimToken: string }[] }): Promise<Registration[]> =>
    p.items.map(({ index, claimToken }) => {
      const deviceKeys = newDeviceKeys();
      keys.set(index, deviceKeys);
      return registrationFor(claimToken, deviceKeys);
    }),
  );

  peer.serve('attach', async (p: { items: { index: number; provisioned: ProvisionedDevice }[] }) => {
    for (const { index, provisioned } of p.items) {
      const device: SimulatedDevice = {
        index,
        client: new FleetDeviceClient(provisioned, keys.get(index)!),
        state: { engine: { id: 'dlib-resnet', version: '1.0.0' } },
      };
      keys.delete(index);
      device.client.onJob((notice) => {
        if (notice.action !== 'run') return;
        if (isFailingDevice(index)) return send(device, 'jobs', { jobId: notice.jobId, status: 'failed' });
        device.state = { ...device.state, engine: notice.document.engine };
        send(device, 'twin/reported', { state: device.state });
        send(device, 'jobs', { jobId: notice.jobId, status: 'succeeded' });
      });
      device.client.onDesired((document) => {
        device.state = { ...device.state, ...document.state };
        send(device, 'twin/reported', { appliedDesiredVersion: document.version, state: device.state });
      });
      devices.push(device);
    }
    return devices.length;
  });

  peer.serve('ids', async (p: { indices: number[] }): Promise<string[]> => byIndex(p.indices).map((d) => d.client.id));

  peer.serve('connect', async (p: { indices?: number[]; concurrency: number }) => {
    const targets = p.indices ? byIndex(p.indices) : devices;
    let connected = 0;
    await inBatches(targets, p.concurrency, async (device) => {
      if (await connect(device)) connected++;
    });
    return connected;
  });

  /** Every device sends every period, spread over it by its index in the whole fleet. */
  peer.serve('startTraffic', async (p: { startedAt: number; periodMs: number; fleetSize: number }) => {
    const nextDue = devices.map((d) => p.startedAt + (d.index / p.fleetSize) * p.periodMs);
    traffic = setInterval(() => {
      const now = Date.now();
      devices.forEach((device, i) => {
        if (nextDue[i]! > now) return;
        nextDue[i] = now + p.periodMs;
        send(device, 'telemetry', { type: 'heartbeat' });
        if (device.client.provisioned.device.kind === 'temperature_scanner')
          send(device, 'telemetry', {
            type: 'temperature',
            eventId: randomUUID(),
            temperature: 36.4 + (device.index % 17) / 10,
            unit: 'C',
            alarmThreshold: 37.5,
            faces: 1,
            ambient: 22,
          });
        else send(device, 'telemetry', { type: 'checkout', outcome: 'approved' });
      });
    }, 100);
    return true;
  });

  peer.serve('stopTraffic', async () => {
    clearInterval(traffic);
    return true;
  });

  /** The connections die without a goodbye: the broker publishes each device's last will, which it already holds. */
  peer.serve('drop', async (p: { indices: number[] }) => {
    const targets = byIndex(p.indices);
    for (const device of targets) {
      const willId = device.client.drop();
      if (willId) ackedBatch.push(willId);
    }
    return targets.length;
  });

  peer.serve('connectedIds', async (): Promise<string[]> => devices.filter((d) => d.client.connected).map((d) => d.client.id));

  peer.serve('counters', async (): Promise<DeviceCounters> => ({
    sent,
    acknowledged,
    connected: devices.filter((d) => d.client.connected).length,
  }));

  await new Promise<void>((resolve) => {
    peer.serve('stop', async () => {
      clearInterval(traffic);
      clearInterval(flushAcked);
      for (const device of devices) device.client.drop();
      setImmediate(resolve);
      return true;
    });
  });
  // An internal child: leave once stopped, whatever timers or sockets a library still holds.
  setImmediate(() => process.exit(0));
  return 0;
}
