/**
 * The embedded broker (aedes), facekey's default like SQLite is for storage: started by
 * `facekey serve` on FACEKEY_MQTT_PORT, bound to loopback unless configured. Devices authenticate
 * as username = client id = device id with the password provisioning issued; the hooks below are
 * the ACL: a device publishes only under its own `up/` and subscribes only under its own `down/`.
 * facekey's own connection uses a per-process random password that never leaves memory.
 */
import { createServer, type Server } from 'node:net';
import { once } from 'node:events';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import type { DeviceBrokerAccess, FleetBroker, FleetConnection, ServiceConnectionOptions } from '../../../fleet/fleet-broker.js';
import { devicePasswordMatches, hashDevicePassword, type DeviceCredentialRecords } from '../../../fleet/device-credentials.js';
import { deviceMayPublish, deviceMaySubscribe, isDeviceId } from '../../../fleet/fleet-topics.js';
import { openMqttConnection } from '../mqtt-connection.js';

export interface EmbeddedBrokerOptions {
  readonly port: number;
  readonly host: string;
  readonly credentials: DeviceCredentialRecords;
  readonly onError?: (error: unknown) => void;
  /** Device connections held at once (default EMBEDDED_BROKER_DEVICE_LIMIT); more are refused with "server unavailable". */
  readonly maxDevices?: number;
}

/**
 * aedes 1.2 overflowed its stack in mqemitter's queue drain at 3,000 and 5,000 simulated devices,
 * and it runs inside facekey's process, so its crash would take the HTTP service down: above what
 * was measured to run clean (2,000, four runs), devices are refused rather than risk the service.
 * Larger fleets belong on Mosquitto (FACEKEY_MQTT_URL).
 */
export const EMBEDDED_BROKER_DEVICE_LIMIT = 2_000;

export class EmbeddedBrokerFull extends Error {
  constructor(limit: number) {
    super(`the embedded MQTT broker holds at most ${limit} devices and refuses more; run Mosquitto for a larger fleet (FACEKEY_MQTT_URL)`);
    this.name = 'EmbeddedBrokerFull';
  }
}

const SERVICE_USERNAME = 'facekey-service';
const SERVER_UNAVAILABLE = 3;
const BAD_CREDENTIALS = 4;
const NOT_AUTHORIZED = 5;

function refusal(message: string, returnCode: number): AuthenticateError {
  return Object.assign(new Error(message), { returnCode }) as AuthenticateError;
}

export async function startEmbeddedBroker(options: EmbeddedBrokerOptions): Promise<FleetBroker> {
  const servicePassword = randomBytes(32).toString('base64url');
  const servicePasswordBytes = Buffer.from(servicePassword, 'utf8');
  const serviceClients = new WeakSet<Client>();
  // Revocation is also remembered here, so a publish racing the disconnect is refused too.
  const revoked = new Set<string>();
  const { credentials } = options;
  const maxDevices = options.maxDevices ?? EMBEDDED_BROKER_DEVICE_LIMIT;
  let devicesConnected = 0;
  let lastFullWarning = 0;

  const aedes = await Aedes.createBroker({
    // With the default (100 messages in delivery at once) a burst of 5,000 devices queued deep
    // enough in mqemitter for its synchronous drain to overflow the stack (seen in the simulator;
    // a known mqemitter problem under high load, mcollina/mqemitter#204). A larger window keeps the
    // queue shallow; it is a mitigation, not a fix.
    concurrency: 2000,
    authenticate: (client, username, password, done) => {
      if (username === SERVICE_USERNAME) {
        const ok =
          password !== undefined && password.length === servicePasswordBytes.length && timingSafeEqual(password, servicePasswordBytes);
        if (ok) serviceClients.add(client);
        done(ok ? null : refusal('bad service credentials', BAD_CREDENTIALS), ok);
        return;
      }
      if (!username || !isDeviceId(username) || client.id !== username || password === undefined) {
        done(refusal('devices connect with username = client id = device id', NOT_AUTHORIZED), false);
        return;
      }
      if (devicesConnected >= maxDevices) {
        if (Date.now() - lastFullWarning > 60_000) {
          lastFullWarning = Date.now();
          options.onError?.(new EmbeddedBrokerFull(maxDevices));
        }
        done(refusal('the embedded broker is full', SERVER_UNAVAILABLE), false);
        return;
      }
      credentials.find(username).then(
        (record) => {
          const ok =
            record !== undefined &&
            !record.revoked &&
            !revoked.has(username) &&
            devicePasswordMatches(password.toString('utf8'), record.secretHash);
          done(ok ? null : refusal('unknown device, revoked device or wrong password', BAD_CREDENTIALS), ok);
        },
        (error: unknown) => {
          options.onError?.(error);
          done(refusal('credential lookup failed', 3), false);
        },
      );
    },
    authorizePublish: (client, packet, done) => {
      if (client === null || serviceClients.has(client)) return done(null);
      const ok = !revoked.has(client.id) && deviceMayPublish(client.id, packet.topic);
      done(ok ? null : new Error(`device may not publish to ${packet.topic}`));
    },
    authorizeSubscribe: (client, subscription, done) => {
      if (serviceClients.has(client)) return done(null, subscription);
      const ok = !revoked.has(client.id) && deviceMaySubscribe(client.id, subscription.topic);
      // A null subscription answers the SUBACK with 128 (failure) without dropping the connection.
      done(null, ok ? subscription : null);
    },
  });

  // Devices only: facekey's own connections are not counted against the limit.
  aedes.on('client', (client) => {
    if (!serviceClients.has(client)) devicesConnected++;
  });
  aedes.on('clientDisconnect', (client) => {
    if (!serviceClients.has(client)) devicesConnected--;
  });

  const server: Server = createServer(aedes.handle);
  server.listen(options.port, options.host);
  try {
    await once(server, 'listening');
  } catch (error) {
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
    throw error;
  }
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const deviceUrl = `mqtt://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`;

  const access: DeviceBrokerAccess = {
    async grant(deviceId, password) {
      await credentials.save(deviceId, hashDevicePassword(password));
      revoked.delete(deviceId);
    },
    async revoke(deviceId) {
      revoked.add(deviceId);
      await credentials.revoke(deviceId);
      const clients = (aedes as unknown as { clients: Record<string, Client | undefined> }).clients;
      const connected = clients[deviceId];
      if (connected) await new Promise<void>((resolve) => connected.close(() => resolve()));
    },
  };

  return {
    deviceUrl,
    access,
    sharedSubscriptions: false,
    connectService: (clientId: string, connection: ServiceConnectionOptions = {}): Promise<FleetConnection> =>
      openMqttConnection({
        url: deviceUrl,
        clientId,
        username: SERVICE_USERNAME,
        password: servicePassword,
        onHandlerError: options.onError,
        ...connection,
      }),
    async close() {
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
