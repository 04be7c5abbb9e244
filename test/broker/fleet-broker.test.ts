/**
 * The broker conformance suite against the embedded broker (aedes, device rows in SQLite) and
 * against a private Mosquitto 2 started on a free port, once with its dynamic-security plugin and
 * once with a password file and `%u` pattern ACLs.
 * Mosquitto must be installed (Debian: apt-get install -y mosquitto); the suite fails rather than
 * skips without it, since a skip would look green in CI.
 */
import { randomUUID } from 'node:crypto';
import { runBrokerConformance } from '../kit/contracts/fleet-broker-contract.js';
import { EmbeddedBrokerFull, startEmbeddedBroker } from '../../src/transports/mqtt/aedes/embedded-broker.js';
import { newDevicePassword } from '../../src/fleet/device-credentials.js';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import mqtt from 'mqtt';
import { connectExternalBroker } from '../../src/transports/mqtt/mosquitto/external-broker.js';
import { mosquittoAvailable, startMosquitto, MOSQUITTO_BINARY } from '../../src/transports/mqtt/mosquitto/mosquitto-process.js';
import { openSqliteTestDatabase } from '../kit/test-databases.js';
import { migrateFleet } from '../../src/fleet/fleet-migrations.js';
import { SqlDeviceCredentials } from '../../src/fleet/sql-device-credentials.js';
import { insertPlaceholderDevice } from './placeholder-device.js';

runBrokerConformance('embedded (aedes)', async () => {
  const database = await openSqliteTestDatabase();
  await migrateFleet(database.db);
  const broker = await startEmbeddedBroker({ port: 0, host: '127.0.0.1', credentials: new SqlDeviceCredentials(database.db) });
  return {
    broker,
    addDevice: (deviceId) => insertPlaceholderDevice(database.db, deviceId),
    close: async () => {
      await broker.close();
      await database.close();
    },
  };
});

runBrokerConformance('Mosquitto 2 (password file, %u pattern ACLs)', async () => {
  if (!mosquittoAvailable()) throw new Error(`Mosquitto is not installed at ${MOSQUITTO_BINARY} (apt-get install -y mosquitto)`);
  const mosquitto = await startMosquitto({ deviceAccess: 'password-file' });
  const broker = await connectExternalBroker({ url: mosquitto.serviceUrl, nodeId: `facekey-test-${randomUUID()}`, deviceAccess: mosquitto.deviceAccess });
  return {
    broker,
    addDevice: async () => undefined,
    // Mosquitto's acl_file grants any SUBSCRIBE and checks read access per delivered message.
    foreignSubscriptions: 'filtered-on-delivery',
    close: async () => {
      await broker.close();
      await mosquitto.stop();
    },
  };
});

runBrokerConformance('Mosquitto 2 (dynamic security)', async () => {
  if (!mosquittoAvailable()) throw new Error(`Mosquitto is not installed at ${MOSQUITTO_BINARY} (apt-get install -y mosquitto)`);
  const mosquitto = await startMosquitto();
  const broker = await connectExternalBroker({ url: mosquitto.serviceUrl, nodeId: `facekey-test-${randomUUID()}` });
  return {
    broker,
    addDevice: async () => undefined,
    close: async () => {
      await broker.close();
      await mosquitto.stop();
    },
  };
});

test('the embedded broker refuses devices beyond its limit with "server unavailable" instead of risking facekey’s process', async () => {
  const database = await openSqliteTestDatabase();
  await migrateFleet(database.db);
  const refusals: unknown[] = [];
  const broker = await startEmbeddedBroker({
    port: 0,
    host: '127.0.0.1',
    credentials: new SqlDeviceCredentials(database.db),
    maxDevices: 1,
    onError: (error) => refusals.push(error),
  });
  const service = await broker.connectService(`facekey-limit-${randomUUID()}`);
  const devices = [randomUUID(), randomUUID()].map((id) => ({ id, password: newDevicePassword() }));
  for (const device of devices) {
    await insertPlaceholderDevice(database.db, device.id);
    await broker.access.grant(device.id, device.password);
  }
  const connect = (device: { id: string; password: string }) =>
    mqtt.connectAsync(broker.deviceUrl, { clientId: device.id, username: device.id, password: device.password, reconnectPeriod: 0, protocolVersion: 4 }, false);
  const first = await connect(devices[0]!);
  await assert.rejects(connect(devices[1]!), /Server unavailable/i);
  assert.ok(refusals.some((e) => e instanceof EmbeddedBrokerFull));
  await first.endAsync();
  await service.close();
  await broker.close();
  await database.close();
});
