/**
 * Two facekey nodes on one PostgreSQL and one Mosquitto share the devices' messages through a
 * shared subscription; one node dies abruptly in the middle (its connections cut without a
 * goodbye, its unfinished handlers never acknowledged, like a killed process). Every message the
 * broker acknowledged to a device is handled in the end, and the survivor holds the dead node's
 * session.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { randomUUID } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import { openPostgresTestDatabase, type TestDatabase } from '../kit/test-databases.js';
import { AuditLog } from '../../src/audit/audit-log.js';
import { TerminalRegistry } from '../../src/devices/terminal-registry.js';
import { migrateDevices } from '../../src/devices/device-migrations.js';
import { composeFleet, type Fleet } from '../../src/fleet/compose-fleet.js';
import { migrateFleet } from '../../src/fleet/fleet-migrations.js';
import { connectExternalBroker } from '../../src/transports/mqtt/mosquitto/external-broker.js';
import { startMosquitto, type MosquittoProcess } from '../../src/transports/mqtt/mosquitto/mosquitto-process.js';
import { FleetDeviceClient, newDeviceKeys, registrationFor } from '../../src/fleet/fleet-device-client.js';
import type { FleetBroker, FleetConnection } from '../../src/fleet/fleet-broker.js';
import type { HandledMessage } from '../../src/fleet/fleet-ingest.js';
import { eventually } from '../fleet/fleet-harness.js';

interface Node {
  readonly fleet: Fleet;
  readonly handled: string[];
  readonly connections: (FleetConnection & { client?: MqttClient })[];
  dead: boolean;
}

describe('two facekey nodes on one PostgreSQL and one Mosquitto, one killed mid-run', () => {
  let database: TestDatabase;
  let mosquitto: MosquittoProcess;
  const nodes: Node[] = [];
  const devices: FleetDeviceClient[] = [];

  async function startNode(nodeId: string): Promise<Node> {
    const sql = database.db;
    const audit = new AuditLog(sql);
    const external = await connectExternalBroker({ url: mosquitto.serviceUrl, nodeId, deviceAccess: mosquitto.deviceAccess });
    const node: Node = { fleet: undefined as unknown as Fleet, handled: [], connections: [], dead: false };
    // Every connection of the node is kept, so "killing" it can cut them all.
    const broker: FleetBroker = {
      ...external,
      connectService: async (clientId, options) => {
        const connection = await external.connectService(clientId, options);
        node.connections.push(connection);
        return connection;
      },
    };
    const afterHandled = async (message: HandledMessage): Promise<void> => {
      if (message.messageId) node.handled.push(message.messageId);
      // A dead process acknowledges nothing more.
      if (node.dead) await new Promise(() => undefined);
    };
    (node as { fleet: Fleet }).fleet = await composeFleet(
      { sql, terminals: new TerminalRegistry(sql, undefined, audit), audit },
      { broker, nodeId, afterHandled, sweepIntervalMs: 3_600_000 },
    );
    return node;
  }

  before(async () => {
    database = await openPostgresTestDatabase();
    await new AuditLog(database.db).migrate();
    await migrateDevices(database.db);
    await migrateFleet(database.db);
    mosquitto = await startMosquitto({ deviceAccess: 'password-file' });
    nodes.push(await startNode(`a-${randomUUID()}`), await startNode(`b-${randomUUID()}`));
  });

  after(async () => {
    for (const device of devices) device.drop();
    for (const node of nodes) if (!node.dead) await node.fleet.close();
    await mosquitto?.stop();
    await database?.close();
  });

  it('loses nothing the broker acknowledged, and the survivor drains the dead node’s session', async () => {
    const [a, b] = nodes as [Node, Node];
    const tenantId = randomUUID();
    const { token } = await a.fleet.provisioning.createClaim(
      tenantId,
      { kind: 'checkout', siteId: 'two-nodes', expiresInSeconds: 600, maxUses: 10 },
      'test',
    );
    for (let i = 0; i < 10; i++) {
      const keys = newDeviceKeys();
      const device = new FleetDeviceClient(await a.fleet.provisioning.register(registrationFor(token, keys)), keys);
      await device.connect();
      devices.push(device);
    }
    const acknowledged: string[] = [];
    const send = async (rounds: number): Promise<void> => {
      for (let round = 0; round < rounds; round++)
        acknowledged.push(...(await Promise.all(devices.map((device) => device.publish('telemetry', { type: 'heartbeat', round })))));
    };
    await send(10);
    await eventually(() => b.handled.length > 0 && a.handled.length > 0, 'both nodes to take a share');

    // Node b dies: connections cut without DISCONNECT (the broker publishes its last will), nothing acknowledged any more.
    b.dead = true;
    for (const connection of b.connections) connection.client?.end(true);
    await send(10);

    const missing = (): string[] => {
      const handled = new Set([...a.handled, ...b.handled]);
      return acknowledged.filter((id) => !handled.has(id));
    };
    // Without the survivor taking b's session, half of what follows the kill would wait there forever.
    await eventually(() => missing().length === 0, 'every acknowledged message handled', 15_000);
    assert.deepEqual(missing(), []);
    assert.ok(
      a.fleet.borrowedSessions().some((clientId) => clientId.includes('facekey-b-')),
      'node a holds node b’s session',
    );
  });
});
