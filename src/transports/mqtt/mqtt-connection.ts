/**
 * facekey's own MQTT connection (mqtt.js), the same for every broker. It keeps a persistent
 * session (clean: false, a stable client id) so QoS 1 messages published while facekey was away
 * wait in the broker, and it acknowledges a message only after its handler settled: a crash or a
 * failed handler leaves the message unacknowledged, and the connection is dropped so the broker
 * redelivers it on the resumed session.
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { FleetConnection, MessageHandler, PublishOptions } from '../../fleet/fleet-broker.js';

export interface MqttConnectionOptions {
  readonly url: string;
  readonly clientId: string;
  readonly username?: string;
  readonly password?: string;
  /** Called when a handler fails; the message stays unacknowledged. */
  readonly onHandlerError?: (error: unknown) => void;
}

export async function openMqttConnection(options: MqttConnectionOptions): Promise<FleetConnection> {
  const client = await mqtt.connectAsync(options.url, {
    clientId: options.clientId,
    username: options.username,
    password: options.password,
    clean: false,
    protocolVersion: 4,
    reconnectPeriod: 1000,
    connectTimeout: 10_000,
  });
  return new MqttFleetConnection(client, options.onHandlerError);
}

class MqttFleetConnection implements FleetConnection {
  private handler: MessageHandler = async () => {
    throw new Error('no message handler installed');
  };

  constructor(
    private readonly client: MqttClient,
    onHandlerError: ((error: unknown) => void) | undefined,
  ) {
    client.handleMessage = (packet, done) => {
      const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
      this.handler({ topic: packet.topic, payload, retain: packet.retain }).then(
        () => done(),
        (error: unknown) => {
          onHandlerError?.(error);
          // No PUBACK: drop the connection so the broker redelivers on the resumed session.
          client.stream?.destroy();
        },
      );
    };
    client.on('error', (error) => onHandlerError?.(error));
  }

  onMessage(handler: MessageHandler): void {
    this.handler = handler;
  }

  async publish(topic: string, payload: string | Buffer, options: PublishOptions): Promise<void> {
    await this.client.publishAsync(topic, payload, { qos: options.qos, retain: options.retain ?? false });
  }

  async subscribe(filter: string, qos: 0 | 1): Promise<void> {
    const granted = await this.client.subscribeAsync(filter, { qos });
    // A broker refuses a subscription by granting 128 rather than failing the SUBACK.
    if (granted.some((g) => g.qos === 128)) throw new Error(`the broker refused the subscription to ${filter}`);
  }

  async close(): Promise<void> {
    await this.client.endAsync();
  }
}
