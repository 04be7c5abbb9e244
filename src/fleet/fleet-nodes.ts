/**
 * Several facekey nodes on one broker share the devices' messages through one MQTT shared
 * subscription: the broker hands each message to one node's ingest session. Each session is
 * persistent, so a node that dies keeps its unacknowledged messages in the broker instead of losing
 * them; but Mosquitto 2.0 also keeps routing that session its share of new messages while nobody is
 * connected to it (it queues them for the offline session). So a dead node's session must be picked
 * up: each node says it is alive on `facekey/nodes/{nodeId}` (retained), with the broker publishing
 * "dead" as its ingest connection's last will; a node that sees another one dead (or stopped)
 * connects with that node's ingest client id, which resumes its session: the messages it never
 * acknowledged come again, the queued ones follow, and its share keeps flowing, into the same
 * ingest. When the owner comes back it connects with its own client id, the broker hands the
 * session back to it and drops the borrower, which does not reconnect.
 *
 * Handling a redelivered message twice is possible (the dead node stored it but died before its
 * acknowledgement): every handler is idempotent or ordered by the device (presence sessions,
 * report times, fever event ids, one execution update per attempt).
 */
import type { FleetBroker, FleetConnection, MessageHandler } from './fleet-broker.js';
import { TOPIC_ROOT } from './fleet-topics.js';

export type NodeState = 'alive' | 'dead' | 'stopped';

export interface NodeStatus {
  readonly state: NodeState;
  /** The client id of the node's ingest session. */
  readonly ingestClientId: string;
}

export const nodeStatusTopic = (nodeId: string): string => `${TOPIC_ROOT}/nodes/${nodeId}`;
const ALL_NODE_STATUSES = `${TOPIC_ROOT}/nodes/+`;

export function ingestClientIdOf(nodeId: string): string {
  return `facekey-${nodeId}`;
}

export class FleetNodes {
  /** Sessions of other nodes this node is holding, by client id. */
  private readonly borrowed = new Map<string, FleetConnection>();
  /** Borrowing under way: a second status message must not open a second connection that would take the session from the first. */
  private readonly borrowing = new Set<string>();
  private closing = false;
  private borrowedMessages = 0;

  constructor(
    private readonly deps: {
      readonly broker: FleetBroker;
      readonly nodeId: string;
      /** The connection statuses are published and received on (not the ingest one). */
      readonly control: FleetConnection;
      readonly ingest: MessageHandler;
      readonly onError: (error: unknown) => void;
    },
  ) {}

  /** What the ingest connection's last will says. */
  static deathNotice(nodeId: string): { topic: string; payload: string } {
    const status: NodeStatus = { state: 'dead', ingestClientId: ingestClientIdOf(nodeId) };
    return { topic: nodeStatusTopic(nodeId), payload: JSON.stringify(status) };
  }

  /** Listens to the other nodes and says this one is alive. */
  async start(): Promise<void> {
    this.deps.control.onMessage(async (message) => {
      const nodeId = message.topic.slice(`${TOPIC_ROOT}/nodes/`.length);
      if (nodeId === this.deps.nodeId || message.payload.length === 0) return;
      let status: NodeStatus;
      try {
        status = JSON.parse(message.payload.toString('utf8')) as NodeStatus;
      } catch {
        return;
      }
      if (typeof status.ingestClientId !== 'string') return;
      if (status.state === 'alive') await this.giveBack(status.ingestClientId);
      else this.borrow(status.ingestClientId);
    });
    await this.deps.control.subscribe(ALL_NODE_STATUSES, 1);
    await this.announce('alive');
  }

  /** Messages received through borrowed sessions (redeliveries of what the owner never acknowledged included). */
  messagesFromBorrowedSessions(): number {
    return this.borrowedMessages;
  }

  /** Client ids of the sessions this node holds for others. */
  borrowedSessions(): string[] {
    return [...this.borrowed.keys()];
  }

  async announce(state: NodeState): Promise<void> {
    const status: NodeStatus = { state, ingestClientId: ingestClientIdOf(this.deps.nodeId) };
    await this.deps.control.publish(nodeStatusTopic(this.deps.nodeId), JSON.stringify(status), { qos: 1, retain: true });
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const clientId of [...this.borrowed.keys()]) await this.giveBack(clientId);
  }

  private borrow(clientId: string): void {
    if (this.closing || this.borrowed.has(clientId) || this.borrowing.has(clientId)) return;
    this.borrowing.add(clientId);
    this.deps.broker
      .connectService(clientId, {
        reconnect: false,
        onMessage: (message) => {
          this.borrowedMessages++;
          return this.deps.ingest(message);
        },
      })
      .then(
        (connection) => {
          if (this.closing) return void connection.close();
          connection.onGone(() => this.borrowed.delete(clientId));
          this.borrowed.set(clientId, connection);
        },
        (error: unknown) => this.deps.onError(error),
      )
      .finally(() => this.borrowing.delete(clientId));
  }

  private async giveBack(clientId: string): Promise<void> {
    const connection = this.borrowed.get(clientId);
    if (!connection) return;
    this.borrowed.delete(clientId);
    // Unacknowledged messages stay in the session for its owner.
    await connection.close().catch(this.deps.onError);
  }
}
