/**
 * An external broker (FACEKEY_MQTT_URL), Mosquitto 2: facekey connects with its own account and
 * manages device accounts either through the dynamic-security plugin (the broker may run anywhere)
 * or through the broker's password file (the broker runs beside facekey and shares the file; it
 * scales to tens of thousands of devices, see password-file-access.ts).
 */
import type { FleetBroker } from '../../../fleet/fleet-broker.js';
import { openMqttConnection } from '../mqtt-connection.js';
import { DynamicSecurityAccess } from './dynamic-security-access.js';
import { PasswordFileAccess } from './password-file-access.js';

export type MosquittoDeviceAccess =
  | { readonly kind: 'dynamic-security' }
  | {
      readonly kind: 'password-file';
      /** The broker's `password_file`, writable by facekey. */
      readonly passwordFile: string;
      /** Makes the broker reload it (SIGHUP to its process). */
      readonly reloadBroker: () => void;
    };

export interface ExternalBrokerOptions {
  /** mqtt://user:password@host:port — the credentials are facekey's own broker account. */
  readonly url: string;
  /** Where devices connect, when it differs from the URL facekey uses (another host name, TLS). */
  readonly deviceUrl?: string;
  /** Names this facekey node's connections; stable across restarts. */
  readonly nodeId: string;
  /** Dynamic security unless told otherwise. */
  readonly deviceAccess?: MosquittoDeviceAccess;
  readonly onError?: (error: unknown) => void;
}

export async function connectExternalBroker(options: ExternalBrokerOptions): Promise<FleetBroker> {
  const parsed = new URL(options.url);
  const username = decodeURIComponent(parsed.username);
  const password = decodeURIComponent(parsed.password);
  parsed.username = '';
  parsed.password = '';
  const url = parsed.toString().replace(/\/$/, '');
  const deviceAccess = options.deviceAccess ?? { kind: 'dynamic-security' };
  const access =
    deviceAccess.kind === 'dynamic-security'
      ? await DynamicSecurityAccess.connect(url, `${options.nodeId}-dynsec`, username, password)
      : new PasswordFileAccess({
          passwordFile: deviceAccess.passwordFile,
          reloadBroker: deviceAccess.reloadBroker,
          brokerUrl: url,
          nodeId: options.nodeId,
        });
  return {
    deviceUrl: options.deviceUrl ?? url,
    access,
    sharedSubscriptions: true,
    connectService: (clientId, connection = {}) => openMqttConnection({ url, clientId, username, password, onHandlerError: options.onError, ...connection }),
    close: async () => {
      if (access instanceof DynamicSecurityAccess) await access.close();
    },
  };
}
