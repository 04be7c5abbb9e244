/**
 * facekey's own MQTT connection (mqtt.js), the same for every broker. It keeps a persistent
 * session (clean: false, a stable client id) so QoS 1 messages published while facekey was away
 * wait in the broker, and it acknowledges a message only after its handler settled: a crash or a
 * failed handler leaves the message unacknowledged, and the connection is dropped so the broker
 * redelivers it on the resumed session.
 *
 * Handling is pipelined: mqtt.js on its own hands over one message at a time and waits for its
 * PUBACK before the next, so a handler that waits for a database commit would cap ingest at one
 * commit per message. Here the next message is taken while earlier ones are still being handled
 * (up to `maxInFlight`, and the broker's own in-flight window), and the PUBACKs are sent in arrival
 * order (MQTT 3.1.1 §4.6), each only once its handler and every earlier one settled. Concurrent
 * handlers are what lets the store commit many messages at once (group-commit.ts).
 */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { FleetConnection, MessageHandler, PublishOptions } from '../../fleet/fleet-broker.js';

export interface MqttConnectionOptions {
  readonly url: string;
  readonly clientId: string;
  readonly username?: string;
  readonly password?: string;
  /** Called when a handler fails; the message stays unacknowledged. */
  readonly onHandlerError?: (error: unknown) => void;
  /** Messages handled at once on this connection (default 1,000; the broker's window usually binds first). */
  readonly maxInFlight?: number;
  /** False to never reconnect (a borrowed session that another process may take back). */
  readonly reconnect?: boolean;
  /** Published by the broker, QoS 1 and retained, if this connection dies without a clean disconnect. */
  readonly will?: { readonly topic: string; readonly payload: string };
  /** The message handler from the start, for a session that may hold messages already. */
  readonly onMessage?: MessageHandler;
}

/** Passed to mqtt.js's handleMessage callback: "take the next packet, but send no PUBACK for this one yet". */
const PUBACK_LATER = new Error('acknowledged by the pipeline once handled');

/** The one mqtt.js internal used: sending a PUBACK outside its handleMessage callback. */
interface PacketSender {
  _sendPacket(packet: { cmd: 'puback'; messageId: number }, callback?: (error?: Error) => void): void;
}

interface InFlight {
  readonly messageId: number;
  handled: boolean;
}

export async function openMqttConnection(options: MqttConnectionOptions): Promise<FleetConnection & { readonly client: MqttClient }> {
  const client = mqtt.connect(options.url, {
    clientId: options.clientId,
    username: options.username,
    password: options.password,
    clean: false,
    protocolVersion: 4,
    reconnectPeriod: options.reconnect === false ? 0 : 1000,
    connectTimeout: 10_000,
    ...(options.will ? { will: { topic: options.will.topic, payload: Buffer.from(options.will.payload), qos: 1, retain: true } } : {}),
    manualConnect: true,
  } satisfies IClientOptions);
  // The handler is installed before connecting: a resumed session delivers its queued messages right after CONNACK.
  const connection = new MqttFleetConnection(client, options.onHandlerError, options.maxInFlight ?? 1000);
  if (options.onMessage) connection.onMessage(options.onMessage);
  try {
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
      client.once('close', () => reject(new Error(`could not connect to ${options.url} as ${options.clientId}`)));
      client.connect();
    });
  } catch (error) {
    client.end(true);
    throw error;
  }
  return connection;
}

class MqttFleetConnection implements FleetConnection {
  private handler: MessageHandler = async () => {
    throw new Error('no message handler installed');
  };
  /** Unacknowledged messages of the current network connection, in arrival order. */
  private inFlight: InFlight[] = [];
  /** Bumped when the network connection changes: a PUBACK meant for a dead connection must never reach the next one. */
  private generation = 0;
  /** mqtt.js's "next packet" while the window is full. */
  private takeNext: (() => void) | undefined;
  private readonly reconnectListeners: (() => void)[] = [];
  private readonly goneListeners: (() => void)[] = [];

  constructor(
    readonly client: MqttClient,
    private readonly onHandlerError: ((error: unknown) => void) | undefined,
    private readonly maxInFlight: number,
  ) {
    client.handleMessage = (packet, done) => {
      const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
      const handled = this.handler({ topic: packet.topic, payload, retain: packet.retain });
      if (packet.qos !== 1 || packet.messageId === undefined) {
        // QoS 0 needs no acknowledgement; QoS 2 (never subscribed to) keeps mqtt.js's own serial path.
        handled.then(
          () => done(),
          (error: unknown) => {
            this.onHandlerError?.(error);
            done();
          },
        );
        return;
      }
      const generation = this.generation;
      const entry: InFlight = { messageId: packet.messageId, handled: false };
      this.inFlight.push(entry);
      handled.then(
        () => {
          if (generation !== this.generation) return;
          entry.handled = true;
          this.acknowledgeHandled();
        },
        (error: unknown) => {
          this.onHandlerError?.(error);
          // No PUBACK: drop the connection so the broker redelivers this and everything after it.
          if (generation === this.generation) client.stream?.destroy();
        },
      );
      if (this.inFlight.length < this.maxInFlight) done(PUBACK_LATER);
      else this.takeNext = () => done(PUBACK_LATER);
    };
    const forgetConnection = (): void => {
      this.generation++;
      this.inFlight = [];
      this.releaseNext();
    };
    let connections = 0;
    client.on('close', () => {
      forgetConnection();
      // Without reconnecting (or after end()), this connection will not come back.
      if (client.disconnecting || client.options.reconnectPeriod === 0) for (const listener of this.goneListeners.splice(0)) listener();
    });
    client.on('connect', () => {
      forgetConnection();
      if (connections++ > 0) for (const listener of this.reconnectListeners) listener();
    });
    client.on('error', (error) => onHandlerError?.(error));
  }

  /** Messages being handled, not yet acknowledged. */
  get pending(): number {
    return this.inFlight.length;
  }

  onMessage(handler: MessageHandler): void {
    this.handler = handler;
  }

  onReconnect(listener: () => void): void {
    this.reconnectListeners.push(listener);
  }

  onGone(listener: () => void): void {
    this.goneListeners.push(listener);
  }

  async publish(topic: string, payload: string | Buffer, options: PublishOptions): Promise<void> {
    await this.client.publishAsync(topic, payload, { qos: options.qos, retain: options.retain ?? false });
  }

  async subscribe(filter: string, qos: 0 | 1): Promise<void> {
    const granted = await this.client.subscribeAsync(filter, { qos });
    // A broker refuses a subscription by granting 128 rather than failing the SUBACK.
    if (granted.some((g) => g.qos === 128)) throw new Error(`the broker refused the subscription to ${filter}`);
  }

  async unsubscribe(filter: string): Promise<void> {
    await this.client.unsubscribeAsync(filter);
  }

  async close(): Promise<void> {
    await this.client.endAsync();
  }

  private acknowledgeHandled(): void {
    const sender = this.client as unknown as PacketSender;
    while (this.inFlight[0]?.handled) {
      const head = this.inFlight.shift()!;
      // Offline, mqtt.js would queue the PUBACK for the next connection, where the id may name another message.
      if (this.client.connected) sender._sendPacket({ cmd: 'puback', messageId: head.messageId });
    }
    this.releaseNext();
  }

  private releaseNext(): void {
    if (!this.takeNext || this.inFlight.length >= this.maxInFlight) return;
    const next = this.takeNext;
    this.takeNext = undefined;
    next();
  }
}
