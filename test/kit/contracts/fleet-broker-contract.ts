/**
 * One behavioural contract for every FleetBroker adapter (embedded aedes, Mosquitto with
 * dynamic security): delivery and acknowledgement, retained desired state for a device that was
 * away, the last will, credentials, topic isolation between two devices, and revocation that cuts
 * a connected device off at once. Each adapter's test file calls runBrokerConformance.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import mqtt, { type MqttClient } from 'mqtt';
import type { FleetBroker, FleetConnection, FleetMessage } from '../../../src/fleet/fleet-broker.js';
import { ALL_UP_TOPICS, downTopic, upTopic } from '../../../src/fleet/fleet-topics.js';
import { newDevicePassword } from '../../../src/fleet/device-credentials.js';

export interface BrokerHarness {
  readonly broker: FleetBroker;
  /** Whatever must exist before a device can be granted access (the embedded broker's device row). */
  addDevice(deviceId: string): Promise<void>;
  /**
   * How the broker keeps a device out of another's topics on subscribe: by refusing the SUBSCRIBE
   * (SUBACK 128; aedes, dynamic security), or by accepting it and checking read access on every
   * delivery (Mosquitto's acl_file). Either way nothing of B's may ever reach A; that is asserted.
   */
  readonly foreignSubscriptions?: 'refused' | 'filtered-on-delivery';
  close(): Promise<void>;
}

interface Device {
  readonly id: string;
  readonly password: string;
}

const WAIT_MS = 5_000;

function connectDevice(url: string, device: Device, options: mqtt.IClientOptions = {}): Promise<MqttClient> {
  return mqtt.connectAsync(url, {
    clientId: device.id,
    username: device.id,
    password: device.password,
    clean: true,
    protocolVersion: 4,
    reconnectPeriod: 0,
    connectTimeout: WAIT_MS,
    ...options,
  });
}

function nextMessage(client: MqttClient, topic: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no message on ${topic}`)), WAIT_MS);
    client.on('message', (t, payload) => {
      if (t !== topic) return;
      clearTimeout(timer);
      resolve(payload);
    });
  });
}

/** The SUBACK's granted QoS; mqtt.js rejects a refused subscription (128) instead of returning it. */
async function grantedQos(client: MqttClient, filter: string): Promise<number | undefined> {
  try {
    return (await client.subscribeAsync(filter, { qos: 1 }))[0]?.qos;
  } catch (error) {
    const suback = (error as { packet?: { granted?: number[]; cmd?: string } }).packet;
    if (suback?.cmd === 'suback') return suback.granted?.[0];
    throw error;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function runBrokerConformance(name: string, open: () => Promise<BrokerHarness>): void {
  describe(`FleetBroker conformance: ${name}`, () => {
    let harness: BrokerHarness;
    let service: FleetConnection;
    const received: FleetMessage[] = [];
    const clients: MqttClient[] = [];

    async function newDevice(): Promise<Device> {
      const device = { id: randomUUID(), password: newDevicePassword() };
      await harness.addDevice(device.id);
      await harness.broker.access.grant(device.id, device.password);
      return device;
    }

    async function online(device: Device, options: mqtt.IClientOptions = {}): Promise<MqttClient> {
      const client = await connectDevice(harness.broker.deviceUrl, device, options);
      clients.push(client);
      return client;
    }

    async function waitFor(predicate: () => boolean, what: string): Promise<void> {
      const deadline = Date.now() + WAIT_MS;
      while (!predicate()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await sleep(20);
      }
    }

    before(async () => {
      harness = await open();
      service = await harness.broker.connectService(`facekey-conformance-${randomUUID()}`);
      service.onMessage(async (message) => {
        received.push(message);
      });
      await service.subscribe(ALL_UP_TOPICS, 1);
    });

    after(async () => {
      for (const client of clients) await client.endAsync(true).catch(() => undefined);
      await service?.close();
      await harness?.close();
    });

    it('carries a device message to facekey and facekey’s message to the device, both QoS 1', async () => {
      const device = await newDevice();
      const client = await online(device);
      await client.subscribeAsync(downTopic(device.id, 'jobs'), { qos: 1 });
      const down = nextMessage(client, downTopic(device.id, 'jobs'));
      await service.publish(downTopic(device.id, 'jobs'), 'job-1', { qos: 1 });
      assert.equal((await down).toString(), 'job-1');
      await client.publishAsync(upTopic(device.id, 'telemetry'), 'hello', { qos: 1 });
      await waitFor(() => received.some((m) => m.topic === upTopic(device.id, 'telemetry')), 'the telemetry');
      assert.equal(received.find((m) => m.topic === upTopic(device.id, 'telemetry'))?.payload.toString(), 'hello');
    });

    it('handles several messages at once but acknowledges each only after its handler, in arrival order', async () => {
      const device = await newDevice();
      const client = await online(device);
      const clientId = `facekey-pipeline-${randomUUID()}`;
      const topic = upTopic(device.id, 'jobs');
      const first = await harness.broker.connectService(clientId);
      const started: string[] = [];
      let releaseFirst: () => void = () => undefined;
      first.onMessage(async (message) => {
        const text = message.payload.toString();
        started.push(text);
        // m1 is stuck (a slow commit), m2 and m3 finish at once.
        if (text === 'm1') await new Promise<void>((resolve) => (releaseFirst = resolve));
      });
      await first.subscribe(topic, 1);
      for (const text of ['m1', 'm2', 'm3']) await client.publishAsync(topic, text, { qos: 1 });
      await waitFor(() => started.length === 3, 'all three handled at once');
      // facekey goes away with m1 unfinished: m2 and m3 must not have been acknowledged ahead of it.
      await first.close();
      releaseFirst();
      const redelivered: string[] = [];
      const second = await harness.broker.connectService(clientId);
      second.onMessage(async (message) => void redelivered.push(message.payload.toString()));
      await waitFor(() => redelivered.length >= 3, 'the unacknowledged messages again');
      assert.deepEqual(redelivered.slice(0, 3), ['m1', 'm2', 'm3']);
      await client.publishAsync(topic, 'm4', { qos: 1 });
      await waitFor(() => redelivered.includes('m4'), 'the next message');
      await second.close();
      // Everything was acknowledged this time: a third session gets nothing old.
      const third = await harness.broker.connectService(clientId);
      const again: string[] = [];
      third.onMessage(async (message) => void again.push(message.payload.toString()));
      await sleep(300);
      assert.deepEqual(again, []);
      await third.close();
    });

    it('delivers the retained desired state to a device that was offline when it was published', async () => {
      const device = await newDevice();
      await service.publish(downTopic(device.id, 'twin/desired'), '{"version":3}', { qos: 1, retain: true });
      const client = await online(device);
      const desired = nextMessage(client, downTopic(device.id, 'twin/desired'));
      await client.subscribeAsync(downTopic(device.id, 'twin/desired'), { qos: 1 });
      assert.equal((await desired).toString(), '{"version":3}');
    });

    it('publishes the last will when a device drops without a goodbye', async () => {
      const device = await newDevice();
      const client = await online(device, {
        will: { topic: upTopic(device.id, 'presence'), payload: Buffer.from('offline'), qos: 1, retain: true },
      });
      client.stream.destroy();
      await waitFor(
        () => received.some((m) => m.topic === upTopic(device.id, 'presence') && m.payload.toString() === 'offline'),
        'the last will',
      );
    });

    it('refuses a wrong password and an unknown device', async () => {
      const device = await newDevice();
      await assert.rejects(connectDevice(harness.broker.deviceUrl, { id: device.id, password: newDevicePassword() }));
      await assert.rejects(connectDevice(harness.broker.deviceUrl, { id: randomUUID(), password: newDevicePassword() }));
    });

    it('keeps device A out of device B’s topics (publish, subscribe, wildcards)', async () => {
      const a = await newDevice();
      const b = await newDevice();
      const clientA = await online(a);
      const clientB = await online(b);
      await clientB.subscribeAsync(downTopic(b.id, 'jobs'), { qos: 1 });
      // Retained for B before A subscribes: a broker that accepts A's subscriptions must not hand it over either.
      await service.publish(downTopic(b.id, 'twin/desired'), '{"version":1,"for":"b"}', { qos: 1, retain: true });
      const seenByA: string[] = [];
      clientA.on('message', (topic) => seenByA.push(topic));

      for (const filter of [downTopic(b.id, 'jobs'), `facekey/devices/${b.id}/down/#`, 'facekey/devices/+/down/#', '#', upTopic(b.id, 'telemetry')]) {
        const granted = await grantedQos(clientA, filter);
        if (harness.foreignSubscriptions !== 'filtered-on-delivery') assert.equal(granted, 128, `device A must not subscribe to ${filter}`);
      }
      const toB = nextMessage(clientB, downTopic(b.id, 'jobs'));
      await service.publish(downTopic(b.id, 'jobs'), 'for-b-only', { qos: 1 });
      assert.equal((await toB).toString(), 'for-b-only');

      // A forges B's telemetry over its own connection; QoS 0 because brokers may drop the connection instead of acknowledging.
      const forger = await online(a);
      forger.publish(upTopic(b.id, 'telemetry'), 'forged', { qos: 0 });
      const honest = await online(b);
      await honest.publishAsync(upTopic(b.id, 'telemetry'), 'genuine', { qos: 1 });
      await waitFor(() => received.some((m) => m.payload.toString() === 'genuine'), 'B’s own telemetry');
      await sleep(300);
      assert.equal(received.filter((m) => m.payload.toString() === 'forged').length, 0, 'a forged message reached facekey');
      assert.deepEqual(seenByA, [], 'device A received a message meant for B');
    });

    it('cuts a revoked device off at once and refuses it afterwards', async () => {
      const device = await newDevice();
      const client = await online(device);
      const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
      const started = Date.now();
      await harness.broker.access.revoke(device.id);
      await closed;
      assert.ok(Date.now() - started < WAIT_MS);
      await assert.rejects(connectDevice(harness.broker.deviceUrl, device));
    });

    it('lets a device back in with a new password after a rotation, and not with the old one', async () => {
      const device = await newDevice();
      const rotated = { id: device.id, password: newDevicePassword() };
      await harness.broker.access.grant(device.id, rotated.password);
      await assert.rejects(connectDevice(harness.broker.deviceUrl, device));
      const client = await online(rotated);
      assert.ok(client.connected);
    });
  });
}
