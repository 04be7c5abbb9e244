/**
 * The fleet's port onto an MQTT broker. facekey always talks to the broker as an MQTT client of
 * its own (the same code whether the broker is embedded or external); what differs between
 * brokers is only how they are reached and how a device's credentials and topic rights are
 * granted and withdrawn. Adapters live in src/transports/mqtt/.
 */

export interface FleetMessage {
  readonly topic: string;
  readonly payload: Buffer;
  readonly retain: boolean;
}

export interface PublishOptions {
  readonly qos: 0 | 1;
  readonly retain?: boolean;
}

/**
 * A handler's promise settles before the message is acknowledged to the broker (QoS 1 PUBACK), so a
 * message whose handling failed or was cut off by a crash is redelivered, never silently dropped.
 */
export type MessageHandler = (message: FleetMessage) => Promise<void>;

/** facekey's own connection to the broker. */
export interface FleetConnection {
  /** Resolves once the broker has the message (PUBACK for QoS 1). */
  publish(topic: string, payload: string | Buffer, options: PublishOptions): Promise<void>;
  /** One handler per connection, for every filter subscribed. */
  onMessage(handler: MessageHandler): void;
  subscribe(filter: string, qos: 0 | 1): Promise<void>;
  unsubscribe(filter: string): Promise<void>;
  /** Messages being handled and not yet acknowledged. */
  readonly pending: number;
  /** Called on every reconnection after the first connection. */
  onReconnect(listener: () => void): void;
  /** Called when the connection is gone for good (closed, or taken over while not reconnecting). */
  onGone(listener: () => void): void;
  close(): Promise<void>;
}

/** Who may connect as which device, and what a device may touch: only its own topics. */
export interface DeviceBrokerAccess {
  /** Lets the device connect with this username (its id) and password; granting again rotates the password. */
  grant(deviceId: string, password: string): Promise<void>;
  /** Refuses the device from now on and disconnects it at once if it is connected. Idempotent. */
  revoke(deviceId: string): Promise<void>;
}

export interface ServiceConnectionOptions {
  /** Published by the broker, retained, if the connection dies without a clean disconnect. */
  readonly will?: { readonly topic: string; readonly payload: string };
  /** False for a session borrowed from another node: if it is taken back, stay away. */
  readonly reconnect?: boolean;
  /** Installed before connecting: a resumed session delivers what it holds right after CONNACK. */
  readonly onMessage?: MessageHandler;
}

export interface FleetBroker {
  /** Where devices connect, e.g. mqtt://127.0.0.1:1884. */
  readonly deviceUrl: string;
  readonly access: DeviceBrokerAccess;
  /**
   * Whether several facekey nodes can share the devices' messages through one MQTT shared
   * subscription (`$share/…`), each message going to one of them (Mosquitto: yes; aedes: no, and
   * it lives inside one facekey process anyway).
   */
  readonly sharedSubscriptions: boolean;
  /** facekey's own connection; `clientId` stays the same across restarts so the broker keeps its session. */
  connectService(clientId: string, options?: ServiceConnectionOptions): Promise<FleetConnection>;
  close(): Promise<void>;
}
