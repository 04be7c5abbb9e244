import path from 'node:path';
import { hostname } from 'node:os';
import { InvalidArgument } from '../errors/domain-errors.js';

/**
 * The service's defaults, in one place: the API, the biometric service, checkout's risk policy and
 * the CLI read them from here.
 */
export const SERVICE_DEFAULTS = {
  /** 1 false match in 100,000 comparisons: the operating point of verify, identify, checkout and `facekey compare`. */
  targetFmr: 1e-5,
  /** Enrollment's identity checks (same person as the subject, nobody else's face): as strict as verification. */
  enrollmentTargetFmr: 1e-5,
  /** Largest request body: a burst of 15 camera frames in base64 fits. */
  bodyLimitBytes: 12 * 1024 * 1024,
  /** Per verified principal: an API key after its secret matched, a terminal after its signature held. */
  rateLimitPerMinute: 1200,
  /** Per client address, for requests without a verified principal. */
  addressRateLimitPerMinute: 300,
  /** Failed authentications per client address. */
  failedAuthPerMinute: 30,
  /** Expected false-positive identifications a face-only checkout may carry. */
  riskBudget: 1e-3,
  /** Minor units (100.00 in the currency); above this a checkout always needs a second factor. */
  faceOnlyAmountLimit: 10_000,
  /** Seconds a liveness challenge session may be answered (FACEKEY_LIVENESS_SESSION_SECONDS, 10–180). */
  livenessSessionSeconds: 120,
  /** Actions in a checkout's liveness challenge (FACEKEY_LIVENESS_CHECKOUT_STEPS, 1–4): the shopper waits for each. */
  livenessCheckoutSteps: 1,
  /** Actions in an enrollment's liveness challenge (FACEKEY_LIVENESS_ENROLLMENT_STEPS, 1–4): the reference every payment is matched against. */
  livenessEnrollmentSteps: 2,
  /**
   * The face engine the service matches with (FACEKEY_ENGINE): the ArcFace-class net, the only shipped
   * engine that accepts most genuine customers at checkout's FMR 1e-5. docs/engines.md has the figures
   * and why its weights' terms are "unknown"; an operator picks another engine by id, or registers a
   * licensed model with a card (FACEKEY_MODEL_CARDS).
   */
  engine: 'faceplugin-arcface',
  /** The currency the kiosks take (amounts in its minor units). */
  currency: 'EUR',
} as const;

/**
 * Everything the HTTP service reads from its environment, with the embedded defaults:
 *
 * | variable | meaning | default |
 * |---|---|---|
 * | PORT, HOST | listen address | 8080, 0.0.0.0 |
 * | FACEKEY_DATA_DIR | SQLite file, master key and operator key | ./data |
 * | DATABASE_URL | PostgreSQL instead of SQLite | unset |
 * | FACEKEY_MASTER_KEY | 64 hex characters | generated under the data dir |
 * | FACEKEY_ENGINE | face engine id (see `facekey engines`) | faceplugin-arcface |
 * | FACEKEY_FALLBACK_ENGINES | comma-separated engine ids also run: tenants may choose one; subjects enrolled with one match until migrated | every engine the stored templates belong to |
 * | FACEKEY_MODEL_CARDS | folders of operator model cards (`:`-separated), each card an ONNX engine | unset |
 * | FACEKEY_WORKERS | face-pipeline worker threads, each with its own models | one per core |
 * | FACEKEY_BODY_LIMIT | largest request body in bytes | 12 MiB |
 * | FACEKEY_RATE_LIMIT | requests per minute per verified API key or terminal | 1200 |
 * | FACEKEY_ADDRESS_RATE_LIMIT | requests per minute per client address without a verified principal | 300 |
 * | FACEKEY_FAILED_AUTH_LIMIT | failed authentications per minute per client address | 30 |
 * | FACEKEY_METRICS_TOKEN | bearer token that opens GET /metrics (≥ 16 characters) | unset: /metrics answers 404 |
 * | FACEKEY_PUBLIC_URL | `iss` of assertions | http://127.0.0.1:PORT |
 * | FACEKEY_RETENTION_DAYS | inactive enrollments are erased after | 730 |
 * | FACEKEY_IMAGE_RETENTION_HOURS | enrollment photos kept, sealed | 0 |
 * | FACEKEY_RISK_BUDGET, FACEKEY_FACE_ONLY_LIMIT | checkout risk policy | 1e-3, 10000 |
 * | FACEKEY_LIVENESS_SESSION_SECONDS | lifetime of a liveness challenge session (10–180) | 120 |
 * | FACEKEY_LIVENESS_CHECKOUT_STEPS, FACEKEY_LIVENESS_ENROLLMENT_STEPS | actions per liveness challenge at a checkout, at an enrollment (1–4) | 1, 2 |
 * | FACEKEY_LIVENESS_ACTIONS | actions challenges are drawn from (turn_left, turn_right, look_up, look_down, blink) | all five |
 * | FACEKEY_MQTT_PORT, FACEKEY_MQTT_HOST | the embedded MQTT broker of the device fleet | 1884, 127.0.0.1 |
 * | FACEKEY_MQTT_URL, FACEKEY_MQTT_DEVICE_URL | an external broker (Mosquitto 2 + dynamic security) instead; the URL devices are told | unset |
 * | FACEKEY_MOSQUITTO_PASSWORD_FILE, FACEKEY_MOSQUITTO_PID_FILE | devices granted through that Mosquitto's password file (writable by facekey, `%u` pattern ACLs) and reloaded by SIGHUP, instead of dynamic security: scales to tens of thousands | unset |
 * | FACEKEY_NODE_ID | this node's name in the fleet's shared subscriptions and logs | host-PORT |
 * | FACEKEY_DEVICE_INACTIVITY_SECONDS | a device silent this long is marked offline | 90 |
 * | FACEKEY_FEVER_WEBHOOK_URL, FACEKEY_FEVER_WEBHOOK_SECRET | fever alerts also POSTed here, HMAC-signed | unset |
 * | FACEKEY_NETWORK_URL | an external card network (simulator) the kiosks use; then none is started | unset |
 * | FACEKEY_NETWORK_SIM | `off`: start no embedded network simulator | on |
 * | FACEKEY_NETWORK_SIM_PORT | the embedded network simulator's port (same HOST; data under FACEKEY_DATA_DIR/network-sim) | PORT+1 |
 * | LOG_LEVEL | | info |
 */
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
  /** Seconds a liveness challenge session may be answered; at most 180. */
  readonly livenessSessionSeconds: number;
  /** Actions per checkout liveness challenge (1–4). */
  readonly livenessCheckoutSteps: number;
  /** Actions per enrollment liveness challenge (1–4). */
  readonly livenessEnrollmentSteps: number;
  /**
   * Actions liveness challenges are drawn from (FACEKEY_LIVENESS_ACTIONS, comma-separated); undefined:
   * all five. Checked against the known actions when the liveness sessions start.
   */
  readonly livenessActions: readonly string[] | undefined;
  /** The face engine the service enrolls and matches with. */
  readonly engine: string;
  /**
   * Other engines the service runs beside `engine` (FACEKEY_FALLBACK_ENGINES): after an engine
   * upgrade, the old one, so subjects enrolled with it keep matching until they are migrated.
   * Undefined when the variable is unset: then the service runs every engine its stored templates
   * belong to (src/server/engines-to-serve.ts), so an upgrade never strands enrolled subjects.
   */
  readonly fallbackEngines: readonly string[] | undefined;
  /** Face-pipeline worker threads; undefined means one per core. */
  readonly workers: number | undefined;
  /** Requests per minute per client address without a verified principal (FACEKEY_ADDRESS_RATE_LIMIT). */
  readonly addressRateLimitPerMinute: number;
  /** Failed authentications per minute per client address (FACEKEY_FAILED_AUTH_LIMIT). */
  readonly failedAuthPerMinute: number;
  /** Bearer token that opens GET /metrics; without one /metrics answers 404 (FACEKEY_METRICS_TOKEN). */
  readonly metricsToken: string | undefined;
  /** The device fleet's MQTT broker (docs/fleet.md). */
  readonly fleet: FleetConfig;
  /** The card network the kiosks link cards at: an embedded simulator, an external one, or none. */
  readonly network: NetworkConfig;
}

export type NetworkConfig =
  | { readonly mode: 'embedded'; readonly simulatorPort: number; readonly simulatorPortConfigured: boolean }
  | { readonly mode: 'external'; readonly url: string }
  | { readonly mode: 'off' };

function readNetworkConfig(env: NodeJS.ProcessEnv, httpPort: number): NetworkConfig {
  const url = env.FACEKEY_NETWORK_URL?.trim();
  if (url) {
    if (!/^https?:\/\/[^\s]+$/.test(url) || !URL.canParse(url)) throw new InvalidArgument('FACEKEY_NETWORK_URL must be an http(s) URL');
    return { mode: 'external', url: url.replace(/\/+$/, '') };
  }
  const sim = (env.FACEKEY_NETWORK_SIM ?? 'on').trim().toLowerCase();
  if (sim === 'off') return { mode: 'off' };
  if (sim !== 'on' && sim !== '') throw new InvalidArgument(`FACEKEY_NETWORK_SIM must be on or off, got "${env.FACEKEY_NETWORK_SIM}"`);
  const raw = env.FACEKEY_NETWORK_SIM_PORT;
  // With PORT=0 (any free port) the simulator takes any free port too.
  const simulatorPort = raw === undefined || raw === '' ? (httpPort === 0 ? 0 : httpPort + 1) : Number(raw);
  if (!Number.isInteger(simulatorPort) || simulatorPort < 0 || simulatorPort > 65535)
    throw new InvalidArgument(`FACEKEY_NETWORK_SIM_PORT must be an integer 0…65535, got "${raw}"`);
  return { mode: 'embedded', simulatorPort, simulatorPortConfigured: raw !== undefined && raw !== '' };
}

export interface ServiceConfigOptions {
  /** Engine ids FACEKEY_ENGINE may name (the engine registry's); unchecked when absent. */
  readonly knownEngines?: readonly string[];
}

/** Rate limits per minute: verified principal (key or terminal), bare client address, failed authentications. */
export const DEFAULT_ABUSE_LIMITS = {
  principalPerMinute: SERVICE_DEFAULTS.rateLimitPerMinute,
  addressPerMinute: SERVICE_DEFAULTS.addressRateLimitPerMinute,
  failedAuthPerMinute: SERVICE_DEFAULTS.failedAuthPerMinute,
} as const;

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
  /** With FACEKEY_MQTT_URL: the Mosquitto password file facekey manages devices in, and the pid file of the broker to reload. */
  readonly mosquittoPasswordFile?: string;
  readonly mosquittoPidFile?: string;
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
  if (mqttUrl !== undefined && !/^mqtts?:\/\/[^\s]+$/.test(mqttUrl))
    throw new InvalidArgument('FACEKEY_MQTT_URL must be an mqtt:// or mqtts:// URL');
  const mosquittoPasswordFile = env.FACEKEY_MOSQUITTO_PASSWORD_FILE || undefined;
  const mosquittoPidFile = env.FACEKEY_MOSQUITTO_PID_FILE || undefined;
  if ((mosquittoPasswordFile === undefined) !== (mosquittoPidFile === undefined) || (mosquittoPasswordFile !== undefined && mqttUrl === undefined))
    throw new InvalidArgument('FACEKEY_MOSQUITTO_PASSWORD_FILE and FACEKEY_MOSQUITTO_PID_FILE go together, with FACEKEY_MQTT_URL');
  return {
    mqttUrl,
    mqttDeviceUrl: env.FACEKEY_MQTT_DEVICE_URL || undefined,
    mqttPort,
    mqttPortConfigured: env.FACEKEY_MQTT_PORT !== undefined && env.FACEKEY_MQTT_PORT !== '',
    mqttHost: env.FACEKEY_MQTT_HOST ?? '127.0.0.1',
    nodeId: env.FACEKEY_NODE_ID || `${hostname()}-${httpPort}`,
    ...(mosquittoPasswordFile && mosquittoPidFile ? { mosquittoPasswordFile, mosquittoPidFile } : {}),
    inactivityTimeoutMs: positiveNumber(env, 'FACEKEY_DEVICE_INACTIVITY_SECONDS', 90, true) * 1000,
    feverWebhookUrl: env.FACEKEY_FEVER_WEBHOOK_URL || undefined,
    feverWebhookSecret: env.FACEKEY_FEVER_WEBHOOK_SECRET || undefined,
  };
}

/** A challenge older than three minutes says little about who is in front of the camera now. */
function livenessSessionSeconds(env: NodeJS.ProcessEnv): number {
  const seconds = positiveNumber(env, 'FACEKEY_LIVENESS_SESSION_SECONDS', SERVICE_DEFAULTS.livenessSessionSeconds, true);
  if (seconds < 10 || seconds > 180) {
    throw new InvalidArgument(
      `FACEKEY_LIVENESS_SESSION_SECONDS must be an integer from 10 to 180, got "${env.FACEKEY_LIVENESS_SESSION_SECONDS}"`,
    );
  }
  return seconds;
}

/** Actions per challenge: one at least, and more than four asks too much of a person at a till. */
function challengeSteps(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const steps = positiveNumber(env, name, fallback, true);
  if (steps > 4) throw new InvalidArgument(`${name} must be an integer from 1 to 4, got "${env[name]}"`);
  return steps;
}

function livenessActions(env: NodeJS.ProcessEnv): readonly string[] | undefined {
  const raw = env.FACEKEY_LIVENESS_ACTIONS?.trim();
  return raw ? raw.split(',').map((a) => a.trim()).filter((a) => a !== '') : undefined;
}

function engine(env: NodeJS.ProcessEnv, knownEngines: readonly string[] | undefined): string {
  const id = env.FACEKEY_ENGINE?.trim() || SERVICE_DEFAULTS.engine;
  if (knownEngines && !knownEngines.includes(id)) {
    throw new InvalidArgument(`FACEKEY_ENGINE must be one of ${knownEngines.join(', ')}, got "${id}"`);
  }
  return id;
}

function fallbackEngines(env: NodeJS.ProcessEnv, knownEngines: readonly string[] | undefined, active: string): string[] | undefined {
  if (env.FACEKEY_FALLBACK_ENGINES === undefined) return undefined;
  const ids = (env.FACEKEY_FALLBACK_ENGINES ?? '')
    .split(',')
    .map((id) => id.trim())
    .filter((id) => id !== '' && id !== active);
  const unknown = knownEngines ? ids.filter((id) => !knownEngines.includes(id)) : [];
  if (unknown.length > 0) {
    throw new InvalidArgument(`FACEKEY_FALLBACK_ENGINES must name engines among ${knownEngines!.join(', ')}, got "${unknown.join(', ')}"`);
  }
  return [...new Set(ids)];
}

function workers(env: NodeJS.ProcessEnv): number | undefined {
  const raw = env.FACEKEY_WORKERS;
  if (raw === undefined || raw.trim() === '') return undefined;
  if (!/^\s*\d+\s*$/.test(raw) || Number(raw) < 1 || Number(raw) > 256) {
    throw new InvalidArgument(`FACEKEY_WORKERS must be an integer from 1 to 256 (worker threads), got "${raw}"`);
  }
  return Number(raw);
}

export function readServiceConfig(env: NodeJS.ProcessEnv = process.env, options: ServiceConfigOptions = {}): ServiceConfig {
  const port = Number(env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgument(`PORT must be an integer 0…65535, got "${env.PORT}"`);
  const bodyLimit = Number(env.FACEKEY_BODY_LIMIT ?? SERVICE_DEFAULTS.bodyLimitBytes);
  if (!Number.isInteger(bodyLimit) || bodyLimit < 1024) throw new InvalidArgument(`FACEKEY_BODY_LIMIT must be an integer ≥ 1024`);
  const rateLimitPerMinute = Number(env.FACEKEY_RATE_LIMIT ?? SERVICE_DEFAULTS.rateLimitPerMinute);
  if (!Number.isInteger(rateLimitPerMinute) || rateLimitPerMinute < 1)
    throw new InvalidArgument('FACEKEY_RATE_LIMIT must be a positive integer');
  const masterKeyHex = env.FACEKEY_MASTER_KEY || undefined;
  if (masterKeyHex !== undefined && !/^[0-9a-fA-F]{64}$/.test(masterKeyHex)) {
    throw new InvalidArgument('FACEKEY_MASTER_KEY must be 64 hex characters (32 bytes)');
  }
  const metricsToken = env.FACEKEY_METRICS_TOKEN || undefined;
  if (metricsToken !== undefined && metricsToken.length < 16)
    throw new InvalidArgument('FACEKEY_METRICS_TOKEN must be at least 16 characters');
  const publicUrl = env.FACEKEY_PUBLIC_URL || `http://127.0.0.1:${port}`;
  if (!/^https?:\/\/[^\s]+$/.test(publicUrl)) throw new InvalidArgument('FACEKEY_PUBLIC_URL must be an http(s) URL');
  return {
    port,
    publicUrl: publicUrl.replace(/\/+$/, ''),
    retentionDays: positiveNumber(env, 'FACEKEY_RETENTION_DAYS', 730, true),
    imageRetentionHours: imageRetentionHours(env),
    riskBudget: positiveNumber(env, 'FACEKEY_RISK_BUDGET', SERVICE_DEFAULTS.riskBudget),
    faceOnlyAmountLimit: positiveNumber(env, 'FACEKEY_FACE_ONLY_LIMIT', SERVICE_DEFAULTS.faceOnlyAmountLimit, true),
    livenessSessionSeconds: livenessSessionSeconds(env),
    livenessCheckoutSteps: challengeSteps(env, 'FACEKEY_LIVENESS_CHECKOUT_STEPS', SERVICE_DEFAULTS.livenessCheckoutSteps),
    livenessEnrollmentSteps: challengeSteps(env, 'FACEKEY_LIVENESS_ENROLLMENT_STEPS', SERVICE_DEFAULTS.livenessEnrollmentSteps),
    livenessActions: livenessActions(env),
    host: env.HOST ?? '0.0.0.0',
    dataDir: path.resolve(env.FACEKEY_DATA_DIR ?? './data'),
    databaseUrl: env.DATABASE_URL || undefined,
    masterKeyHex,
    logLevel: env.LOG_LEVEL ?? 'info',
    bodyLimit,
    rateLimitPerMinute,
    engine: engine(env, options.knownEngines),
    fallbackEngines: fallbackEngines(env, options.knownEngines, engine(env, options.knownEngines)),
    workers: workers(env),
    addressRateLimitPerMinute: positiveNumber(env, 'FACEKEY_ADDRESS_RATE_LIMIT', DEFAULT_ABUSE_LIMITS.addressPerMinute, true),
    failedAuthPerMinute: positiveNumber(env, 'FACEKEY_FAILED_AUTH_LIMIT', DEFAULT_ABUSE_LIMITS.failedAuthPerMinute, true),
    metricsToken,
    fleet: readFleetConfig(env, port),
    network: readNetworkConfig(env, port),
  };
}
