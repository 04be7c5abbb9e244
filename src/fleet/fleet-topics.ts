/**
 * The fleet's MQTT topic layout, in one place. Every device topic lives under its own prefix
 * `facekey/devices/{deviceId}/`, split by direction so a broker's ACL is two rules per device:
 * the device may publish only under `up/` and subscribe only under `down/` of its own id.
 *
 * up   (device → facekey, QoS 1, signed by the device key)
 *   facekey/devices/{id}/up/presence        retained; "online" on connect, "offline" as last will
 *   facekey/devices/{id}/up/telemetry       heartbeats, temperature and checkout events
 *   facekey/devices/{id}/up/twin/reported   the device's reported state
 *   facekey/devices/{id}/up/jobs            job execution updates
 * down (facekey → device, QoS 1)
 *   facekey/devices/{id}/down/twin/desired  retained; always the full desired document with its version
 *   facekey/devices/{id}/down/jobs          job executions to run
 * staff (facekey → site staff, QoS 1)
 *   facekey/sites/{tenantId}/{siteId}/alerts/fever
 */
export const TOPIC_ROOT = 'facekey';

/** Device ids are UUIDs: no MQTT wildcard or separator can hide in them. */
const DEVICE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function isDeviceId(value: string): boolean {
  return DEVICE_ID.test(value);
}

export const UP_CHANNELS = ['presence', 'telemetry', 'twin/reported', 'jobs'] as const;
export type UpChannel = (typeof UP_CHANNELS)[number];
export const DOWN_CHANNELS = ['twin/desired', 'jobs'] as const;
export type DownChannel = (typeof DOWN_CHANNELS)[number];

export function devicePrefix(deviceId: string): string {
  if (!isDeviceId(deviceId)) throw new Error(`not a device id: ${deviceId}`);
  return `${TOPIC_ROOT}/devices/${deviceId}/`;
}

export const upTopic = (deviceId: string, channel: UpChannel): string => `${devicePrefix(deviceId)}up/${channel}`;
export const downTopic = (deviceId: string, channel: DownChannel): string => `${devicePrefix(deviceId)}down/${channel}`;

/** What facekey subscribes to: every device's up channels. */
export const ALL_UP_TOPICS = `${TOPIC_ROOT}/devices/+/up/#`;
/** The same as one MQTT shared subscription: each message goes to one of the facekey nodes in the group. */
export const SHARED_UP_TOPICS = `$share/facekey/${ALL_UP_TOPICS}`;

export function feverAlertTopic(tenantId: string, siteId: string): string {
  return `${TOPIC_ROOT}/sites/${tenantId}/${siteId}/alerts/fever`;
}

export interface ParsedUpTopic {
  readonly deviceId: string;
  readonly channel: UpChannel;
}

export function parseUpTopic(topic: string): ParsedUpTopic | undefined {
  const match = /^facekey\/devices\/([^/]+)\/up\/(.+)$/.exec(topic);
  if (!match || !isDeviceId(match[1]!)) return undefined;
  const channel = match[2] as UpChannel;
  return UP_CHANNELS.includes(channel) ? { deviceId: match[1]!, channel } : undefined;
}

/**
 * Whether a device may use a topic (publish) or topic filter (subscribe). Only literal topics under
 * its own prefix and direction: a wildcard in the part before the device's own subtree could reach
 * another device's topics, so a filter must start with the literal prefix.
 */
export function deviceMayPublish(deviceId: string, topic: string): boolean {
  const prefix = `${devicePrefix(deviceId)}up/`;
  return topic.startsWith(prefix) && !/[+#]/.test(topic);
}

export function deviceMaySubscribe(deviceId: string, filter: string): boolean {
  const prefix = `${devicePrefix(deviceId)}down/`;
  return filter.startsWith(prefix) || filter === `${devicePrefix(deviceId)}down/#`;
}
