/**
 * Device access on Mosquitto 2 through its dynamic-security plugin, driven over MQTT on
 * `$CONTROL/dynamic-security/v1`: one role per device holding exactly its two topic subtrees, and
 * one client per device (username = device id) with that role. Revocation disables the client,
 * which makes the plugin disconnect it at once; granting again re-enables it with a new password.
 * facekey's broker account needs the plugin's admin ACLs besides `facekey/#` (docs/fleet.md).
 *
 * Grants are batched: while one control message is being answered, the grants that arrive meanwhile
 * queue and go out together in the next one (one control message carries many commands), and each
 * device costs two commands (the role with its ACLs inline, the client with its role inline) rather
 * than five. What batching cannot remove: Mosquitto 2.0's plugin serialises and rewrites its whole
 * JSON configuration after every successful command, on the broker's only thread, so each grant
 * costs time proportional to the fleet already provisioned (docs/fleet.md has the measurements).
 * Large fleets use the password-file adapter instead.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { randomUUID } from 'node:crypto';
import type { DeviceBrokerAccess } from '../../../fleet/fleet-broker.js';
import { devicePrefix } from '../../../fleet/fleet-topics.js';
import { BrokerAccessFailed } from '../../../errors/domain-errors.js';

const CONTROL_TOPIC = '$CONTROL/dynamic-security/v1';
const RESPONSE_TOPIC = `${CONTROL_TOPIC}/response`;
/** Devices per control message: the broker answers nothing else while it works through one. */
const MAX_GRANTS_PER_MESSAGE = 200;
/** The plugin's answer time grows with the configuration it rewrites per command. */
const answerTimeoutMs = (commands: number): number => 30_000 + 1_000 * commands;

interface DynsecCommand {
  readonly command: string;
  readonly [field: string]: unknown;
}

interface DynsecResponse {
  readonly command: string;
  readonly error?: string;
  readonly correlationData?: string;
}

interface QueuedGrant {
  readonly deviceId: string;
  readonly password: string;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

export class DynamicSecurityAccess implements DeviceBrokerAccess {
  private readonly pending = new Map<string, (responses: DynsecResponse[]) => void>();
  private readonly queuedGrants: QueuedGrant[] = [];
  private grantsInFlight = false;

  private constructor(private readonly client: MqttClient) {
    client.on('message', (topic, payload) => {
      if (topic !== RESPONSE_TOPIC) return;
      const responses = (JSON.parse(payload.toString('utf8')) as { responses?: DynsecResponse[] }).responses ?? [];
      // Every command of one request carries the request's correlation id.
      const id = responses[0]?.correlationData;
      const settle = id === undefined ? undefined : this.pending.get(id);
      if (settle && id !== undefined) {
        this.pending.delete(id);
        settle(responses);
      }
    });
  }

  static async connect(url: string, clientId: string, username: string, password: string): Promise<DynamicSecurityAccess> {
    const client = await mqtt.connectAsync(url, { clientId, username, password, clean: true, protocolVersion: 4, reconnectPeriod: 1000 });
    const access = new DynamicSecurityAccess(client);
    const granted = await client.subscribeAsync(RESPONSE_TOPIC, { qos: 1 });
    if (granted.some((g) => g.qos === 128)) throw new Error('the broker account lacks the dynamic-security admin ACLs');
    return access;
  }

  grant(deviceId: string, password: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queuedGrants.push({ deviceId, password, resolve, reject });
      void this.sendQueuedGrants();
    });
  }

  /** Not queued behind grants: a revocation goes out in its own message at once. */
  async revoke(deviceId: string): Promise<void> {
    const [response] = await this.run([{ command: 'disableClient', username: deviceId }]);
    if (response?.error && response.error !== 'Client not found')
      throw new BrokerAccessFailed(`dynamic-security disableClient: ${response.error}`);
  }

  async close(): Promise<void> {
    await this.client.endAsync();
  }

  private async sendQueuedGrants(): Promise<void> {
    if (this.grantsInFlight || this.queuedGrants.length === 0) return;
    this.grantsInFlight = true;
    const batch = this.queuedGrants.splice(0, MAX_GRANTS_PER_MESSAGE);
    try {
      // Two commands per device, in order, so response 2i is device i's role and 2i+1 its client.
      const responses = await this.run(batch.flatMap((grant) => newDeviceCommands(grant.deviceId, grant.password)));
      const rotations: QueuedGrant[] = [];
      batch.forEach((grant, i) => {
        const role = responses[2 * i];
        const client = responses[2 * i + 1];
        // "Already exists" is a retry or a rotation: the role holds the same ACLs, the client gets the new password below.
        if (role?.error && role.error !== 'Role already exists')
          grant.reject(new BrokerAccessFailed(`dynamic-security createRole: ${role.error}`));
        else if (client?.error === 'Client already exists') rotations.push(grant);
        else if (client?.error || !client)
          grant.reject(new BrokerAccessFailed(`dynamic-security createClient: ${client?.error ?? 'no answer'}`));
        else grant.resolve();
      });
      if (rotations.length > 0) {
        const rotated = await this.run(
          rotations.flatMap((grant) => [
            { command: 'setClientPassword', username: grant.deviceId, password: grant.password },
            { command: 'enableClient', username: grant.deviceId },
          ]),
        );
        rotations.forEach((grant, i) => {
          const failed = [rotated[2 * i], rotated[2 * i + 1]].find((r) => !r || r.error);
          if (failed) grant.reject(new BrokerAccessFailed(`dynamic-security ${failed.command}: ${failed.error ?? 'no answer'}`));
          else grant.resolve();
        });
      }
    } catch (error) {
      for (const grant of batch) grant.reject(error);
    } finally {
      this.grantsInFlight = false;
      void this.sendQueuedGrants();
    }
  }

  private async run(commands: readonly DynsecCommand[]): Promise<DynsecResponse[]> {
    const id = randomUUID();
    const responses = new Promise<DynsecResponse[]>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new BrokerAccessFailed(`dynamic-security did not answer ${commands.length} command(s)`));
      }, answerTimeoutMs(commands.length));
      this.pending.set(id, (r) => {
        clearTimeout(timer);
        resolve(r);
      });
    });
    await this.client.publishAsync(CONTROL_TOPIC, JSON.stringify({ commands: commands.map((c) => ({ ...c, correlationData: id })) }), {
      qos: 1,
    });
    return responses;
  }
}

/** The device's own role (its two subtrees, nothing else) and its client holding that role. */
function newDeviceCommands(deviceId: string, password: string): DynsecCommand[] {
  const role = `device-${deviceId}`;
  const prefix = devicePrefix(deviceId);
  return [
    {
      command: 'createRole',
      rolename: role,
      acls: [
        { acltype: 'publishClientSend', topic: `${prefix}up/#`, allow: true },
        { acltype: 'subscribePattern', topic: `${prefix}down/#`, allow: true },
        { acltype: 'publishClientReceive', topic: `${prefix}down/#`, allow: true },
      ],
    },
    { command: 'createClient', username: deviceId, password, roles: [{ rolename: role }] },
  ];
}
