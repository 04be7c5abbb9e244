/**
 * Device access on Mosquitto 2 through its dynamic-security plugin, driven over MQTT on
 * `$CONTROL/dynamic-security/v1`: one role per device holding exactly its two topic subtrees, and
 * one client per device (username = device id) with that role. Revocation disables the client,
 * which makes the plugin disconnect it at once; granting again re-enables it with a new password.
 * facekey's broker account needs the plugin's admin ACLs besides `facekey/#` (docs/fleet.md).
 */
import mqtt, { type MqttClient } from 'mqtt';
import { randomUUID } from 'node:crypto';
import type { DeviceBrokerAccess } from '../../../fleet/fleet-broker.js';
import { devicePrefix } from '../../../fleet/fleet-topics.js';

const CONTROL_TOPIC = '$CONTROL/dynamic-security/v1';
const RESPONSE_TOPIC = `${CONTROL_TOPIC}/response`;

interface DynsecCommand {
  readonly command: string;
  readonly [field: string]: unknown;
}

interface DynsecResponse {
  readonly command: string;
  readonly error?: string;
  readonly correlationData?: string;
}

export class DynamicSecurityAccess implements DeviceBrokerAccess {
  private readonly pending = new Map<string, (responses: DynsecResponse[]) => void>();

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

  async grant(deviceId: string, password: string): Promise<void> {
    const role = roleName(deviceId);
    const prefix = devicePrefix(deviceId);
    // One request (one round trip); each step tolerates "already exists", so a grant is also a
    // password rotation and a retry. (The plugin's %u patterns are not available in Mosquitto
    // 2.0, hence a role per device; the plugin rewrites its whole configuration file after each
    // command, so provisioning slows as the fleet grows: docs/fleet.md.)
    const answered = await this.run(
      [
        { command: 'createRole', rolename: role },
        { command: 'addRoleACL', rolename: role, acltype: 'publishClientSend', topic: `${prefix}up/#`, allow: true },
        { command: 'addRoleACL', rolename: role, acltype: 'subscribePattern', topic: `${prefix}down/#`, allow: true },
        { command: 'addRoleACL', rolename: role, acltype: 'publishClientReceive', topic: `${prefix}down/#`, allow: true },
        { command: 'createClient', username: deviceId, password, roles: [{ rolename: role }] },
      ],
      ['Role already exists', 'ACL with this topic already exists', 'Client already exists'],
    );
    if (answered.some((r) => r.command === 'createClient' && r.error)) {
      await this.run([
        { command: 'setClientPassword', username: deviceId, password },
        { command: 'enableClient', username: deviceId },
      ]);
    }
  }

  async revoke(deviceId: string): Promise<void> {
    await this.run([{ command: 'disableClient', username: deviceId }], ['Client not found']);
  }

  async close(): Promise<void> {
    await this.client.endAsync();
  }

  private async run(commands: readonly DynsecCommand[], tolerated: readonly string[] = []): Promise<DynsecResponse[]> {
    const id = randomUUID();
    const responses = new Promise<DynsecResponse[]>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`dynamic-security did not answer ${commands.map((c) => c.command).join(', ')}`));
      }, 10_000);
      this.pending.set(id, (r) => {
        clearTimeout(timer);
        resolve(r);
      });
    });
    await this.client.publishAsync(CONTROL_TOPIC, JSON.stringify({ commands: commands.map((c) => ({ ...c, correlationData: id })) }), {
      qos: 1,
    });
    const answered = await responses;
    const failed = answered.find((r) => r.error && !tolerated.includes(r.error));
    if (failed) throw new Error(`dynamic-security ${failed.command}: ${failed.error}`);
    return answered;
  }
}

function roleName(deviceId: string): string {
  return `device-${deviceId}`;
}
