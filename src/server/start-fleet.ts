/**
 * Chooses the fleet's broker and composes the fleet: an external broker when FACEKEY_MQTT_URL is
 * set (Mosquitto 2, devices through its dynamic-security plugin, or through its password file when
 * FACEKEY_MOSQUITTO_PASSWORD_FILE is set), otherwise the embedded one on FACEKEY_MQTT_PORT. Like
 * the embedded SQLite store, the embedded broker needs nothing installed.
 */
import { readFileSync } from 'node:fs';
import type { SqlDatabase } from '../store/sql/sql-database.js';
import type { AuditSink } from '../audit/audit-sink.js';
import type { TerminalRegistry } from '../devices/terminal-registry.js';
import type { FleetBroker } from '../fleet/fleet-broker.js';
import { composeFleet, type Fleet } from '../fleet/compose-fleet.js';
import { migrateFleet } from '../fleet/fleet-migrations.js';
import { SqlDeviceCredentials } from '../fleet/sql-device-credentials.js';
import { startEmbeddedBroker } from '../transports/mqtt/aedes/embedded-broker.js';
import { connectExternalBroker } from '../transports/mqtt/mosquitto/external-broker.js';
import type { FleetConfig } from '../config/service-config.js';
import { ConsentStore } from '../consent/consent-store.js';
import { healthScreeningConsent } from '../consent/health-screening-consent.js';


export async function startFleet(
  parts: { sql: SqlDatabase; terminals: TerminalRegistry; audit: AuditSink },
  config: FleetConfig,
  log: { warn(message: string): void; error(error: unknown): void },
): Promise<Fleet> {
  await migrateFleet(parts.sql);
  const onError = (error: unknown): void => log.error(error);
  let broker: FleetBroker;
  if (config.mqttUrl) {
    const { mosquittoPasswordFile: passwordFile, mosquittoPidFile: pidFile } = config;
    broker = await connectExternalBroker({
      url: config.mqttUrl,
      deviceUrl: config.mqttDeviceUrl,
      nodeId: config.nodeId,
      onError,
      deviceAccess:
        passwordFile && pidFile
          ? {
              kind: 'password-file',
              passwordFile,
              // Read each time: the broker may have restarted under another pid.
              reloadBroker: () => {
                process.kill(Number(readFileSync(pidFile, 'utf8').trim()), 'SIGHUP');
              },
            }
          : { kind: 'dynamic-security' },
    });
  } else {
    const credentials = new SqlDeviceCredentials(parts.sql);
    try {
      broker = await startEmbeddedBroker({ port: config.mqttPort, host: config.mqttHost, credentials, onError });
    } catch (error) {
      if (config.mqttPortConfigured || (error as { code?: string }).code !== 'EADDRINUSE') throw error;
      log.warn(`MQTT port ${config.mqttPort} is busy; the embedded broker takes a free port (set FACEKEY_MQTT_PORT to fix it)`);
      broker = await startEmbeddedBroker({ port: 0, host: config.mqttHost, credentials, onError });
    }
  }
  return composeFleet(
    { ...parts, healthConsent: healthScreeningConsent(new ConsentStore(parts.sql)) },
    {
      broker,
      nodeId: config.nodeId,
      inactivityTimeoutMs: config.inactivityTimeoutMs,
      feverWebhook: config.feverWebhookUrl ? { url: config.feverWebhookUrl, secret: config.feverWebhookSecret } : undefined,
      onError,
    },
  );
}
