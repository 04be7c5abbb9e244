/**
 * An external broker (FACEKEY_MQTT_URL), Mosquitto 2 with its dynamic-security plugin: facekey
 * connects with its own account and manages device accounts through the plugin.
 */
import type { FleetBroker } from '../../../fleet/fleet-broker.js';
import { openMqttConnection } from '../mqtt-connection.js';
import { DynamicSecurityAccess } from './dynamic-security-access.js';

export interface ExternalBrokerOptions {
  /** mqtt://user:password@host:port — the credentials are facekey's own broker account. */
  readonly url: string;
  /** Where devices connect, when it differs from the URL facekey uses (another host name, TLS). */
  readonly deviceUrl?: string;
  /** Names this facekey node's connections; stable across restarts. */
  readonly nodeId: string;
  readonly onError?: (error: unknown) => void;
}

export async function connectExternalBroker(options: ExternalBrokerOptions): Promise<FleetBroker> {
  const parsed = new URL(options.url);
  const username = decodeURIComponent(parsed.username);
  const password = decodeURIComponent(parsed.password);
  parsed.username = '';
  parsed.password = '';
  const url = parsed.toString().replace(/\/$/, '');
  const access = await DynamicSecurityAccess.connect(url, `${options.nodeId}-dynsec`, username, password);
  return {
    deviceUrl: options.deviceUrl ?? url,
    access,
    connectService: (clientId) => openMqttConnection({ url, clientId, username, password, onHandlerError: options.onError }),
    close: () => access.close(),
  };
}
