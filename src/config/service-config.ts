import path from 'node:path';
import { hostname } from 'node:os';
import { InvalidArgument } from '../errors/domain-errors.js';

/** Everything the HTTP service reads from its environment, with the embedded defaults. */
export interface ServiceConfig {
  readonly port: number;
  readonly host: string;
  /** SQLite file, generated master key and operator key live here. */
  readonly dataDir: string;
  /** Selects PostgreSQL instead of the embedded SQLite file. */
  readonly databaseUrl: string | undefined;
  /** 64 hex characters; otherwise a key file is generated under dataDir on first start. */
  readonly masterKeyHex: string | undefined;
  readonly logLevel: string;
  /** Largest request body accepted, in bytes. */
  readonly bodyLimit: number;
  /** Requests per minute per API key. */
  readonly rateLimitPerMinute: number;
  /** facekey's public base URL: the `iss` of its assertions. Default http://127.0.0.1:PORT. */
  readonly publicUrl: string;
  /** Enrollments inactive this long are erased. */
  readonly retentionDays: number;
  /** Hours an enrollment photo is kept (sealed) after enrollment; 0, the default, keeps none. */
  readonly imageRetentionHours: number;
  /** Largest expected number of false-positive identifications a face-only checkout may carry. */
  readonly riskBudget: number;
  /** Minor units; above this a checkout always needs a second factor. */
  readonly faceOnlyAmountLimit: number;
  /** The device fleet's MQTT broker (docs/fleet.md). */
  readonly fleet: FleetConfig;
}

function positiveNumber(env: NodeJS.ProcessEnv, name: string, fallback: number, integer = false): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new InvalidArgument(`${name} must be a positive ${integer ? 'integer' : 'number'}, got "${raw}"`);
  }
  return value;
}

/** Thirty days: retention is only ever short-lived, so no setting can turn it into keeping photos indefinitely. */
export const MAX_IMAGE_RETENTION_HOURS = 720;

function imageRetentionHours(env: NodeJS.ProcessEnv): number {
  const raw = env.FACEKEY_IMAGE_RETENTION_HOURS;
  if (raw === undefined || raw.trim() === '') return 0;
  const hours = Number(raw);
  if (!/^\s*\d+\s*$/.test(raw) || hours > MAX_IMAGE_RETENTION_HOURS) {
    throw new InvalidArgument(
      `FACEKEY_IMAGE_RETENTION_HOURS must be an integer from 0 (no images kept) to ${MAX_IMAGE_RETENTION_HOURS}, got "${raw}"`,
    );
  }
  return hours;
}

/** The device fleet's broker settings. */
export interface FleetConfig {
  readonly mqttUrl: string | undefined;
  readonly mqttDeviceUrl: string | undefined;
  readonly mqttPort: number;
  /** False when the port is only the default: then a busy port falls back to a free one. */
  readonly mqttPortConfigured: boolean;
  readonly mqttHost: string;
  readonly nodeId: string;
  readonly inactivityTimeoutMs: number;
  /** Fever alerts are POSTed here too (besides the site's MQTT topic). */
  readonly feverWebhookUrl?: string;
  /** HMAC-SHA256 key for the webhook's x-facekey-signature header. */
  readonly feverWebhookSecret?: string;
}

function readFleetConfig(env: NodeJS.ProcessEnv, httpPort: number): FleetConfig {
  const mqttPort = Number(env.FACEKEY_MQTT_PORT ?? 1884);
  if (!Number.isInteger(mqttPort) || mqttPort < 0 || mqttPort > 65535)
    throw new InvalidArgument(`FACEKEY_MQTT_PORT must be an integer 0…65535, got "${env.FACEKEY_MQTT_PORT}"`);
  const mqttUrl = env.FACEKEY_MQTT_URL || undefined;
  if (mqttUrl !== undefined && !/^mqtts?:\/\/[^\s]+$/.test(mqttUrl)) throw new InvalidArgument('FACEKEY_MQTT_URL must be an mqtt:// or mqtts:// URL');
  return {
    mqttUrl,
    mqttDeviceUrl: env.FACEKEY_MQTT_DEVICE_URL || undefined,
    mqttPort,
    mqttPortConfigured: env.FACEKEY_MQTT_PORT !== undefined && env.FACEKEY_MQTT_PORT !== '',
    mqttHost: env.FACEKEY_MQTT_HOST ?? '127.0.0.1',
    nodeId: env.FACEKEY_NODE_ID || `${hostname()}-${httpPort}`,
    inactivityTimeoutMs: positiveNumber(env, 'FACEKEY_DEVICE_INACTIVITY_SECONDS', 90, true) * 1000,
    feverWebhookUrl: env.FACEKEY_FEVER_WEBHOOK_URL || undefined,
    feverWebhookSecret: env.FACEKEY_FEVER_WEBHOOK_SECRET || undefined,
  };
}

export function readServiceConfig(env: NodeJS.ProcessEnv = process.env): ServiceConfig {
  const port = Number(env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgument(`PORT must be an integer 0…65535, got "${env.PORT}"`);
  const bodyLimit = Number(env.FACEKEY_BODY_LIMIT ?? 12 * 1024 * 1024);
  if (!Number.isInteger(bodyLimit) || bodyLimit < 1024) throw new InvalidArgument(`FACEKEY_BODY_LIMIT must be an integer ≥ 1024`);
  const rateLimitPerMinute = Number(env.FACEKEY_RATE_LIMIT ?? 1200);
  if (!Number.isInteger(rateLimitPerMinute) || rateLimitPerMinute < 1)
    throw new InvalidArgument('FACEKEY_RATE_LIMIT must be a positive integer');
  const masterKeyHex = env.FACEKEY_MASTER_KEY || undefined;
  if (masterKeyHex !== undefined && !/^[0-9a-fA-F]{64}$/.test(masterKeyHex)) {
    throw new InvalidArgument('FACEKEY_MASTER_KEY must be 64 hex characters (32 bytes)');
  }
  const publicUrl = env.FACEKEY_PUBLIC_URL || `http://127.0.0.1:${port}`;
  if (!/^https?:\/\/[^\s]+$/.test(publicUrl)) throw new InvalidArgument('FACEKEY_PUBLIC_URL must be an http(s) URL');
  return {
    port,
    publicUrl: publicUrl.replace(/\/+$/, ''),
    retentionDays: positiveNumber(env, 'FACEKEY_RETENTION_DAYS', 730, true),
    imageRetentionHours: imageRetentionHours(env),
    riskBudget: positiveNumber(env, 'FACEKEY_RISK_BUDGET', 1e-3),
    faceOnlyAmountLimit: positiveNumber(env, 'FACEKEY_FACE_ONLY_LIMIT', 10_000, true),
    host: env.HOST ?? '0.0.0.0',
    dataDir: path.resolve(env.FACEKEY_DATA_DIR ?? './data'),
    databaseUrl: env.DATABASE_URL || undefined,
    masterKeyHex,
    logLevel: env.LOG_LEVEL ?? 'info',
    bodyLimit,
    rateLimitPerMinute,
    fleet: readFleetConfig(env, port),
  };
}
