import path from 'node:path';
import type { JWTVerifyGetKey } from 'jose';
import { InvalidArgument } from '../errors/domain-errors.js';

/** Everything the network simulator reads from its environment, plus test-only injections. */
export interface NetworkSimConfig {
  readonly port: number;
  readonly host: string;
  /** Its own SQLite file and vault key live here, never in facekey's data directory. */
  readonly dataDir: string;
  /** facekey's published JWKS; ignored when `keys` is given. */
  readonly jwksUrl: string;
  /** The `iss` every assertion must carry. */
  readonly issuer: string;
  /** Largest amount one authorization may carry, in minor units. */
  readonly cardLimit: number;
  readonly logLevel: string;
  /** Bearer key for /v1 (NETWORK_SIM_API_KEY); generated into the data directory when absent. */
  readonly apiKey?: string;
  /** Resolves facekey's verification key directly (tests), instead of fetching `jwksUrl`. */
  readonly keys?: JWTVerifyGetKey;
  /** The simulator's notion of now: assertion lifetimes and card expiry are judged against it. */
  readonly clock?: () => Date;
  /** Where the pino log goes; stdout when absent. */
  readonly logStream?: { write(line: string): void };
  /**
   * Origins that may frame the hosted card page besides any http loopback origin
   * (NETWORK_SIM_CARD_PAGE_ORIGINS, comma-separated; default: the issuer's, i.e. facekey's public URL).
   */
  readonly cardPageOrigins?: readonly string[];
  /** Waits between webhook delivery attempts; its length + 1 is the number of attempts. */
  readonly webhookRetryDelaysMs?: readonly number[];
}

export function readNetworkSimConfig(env: NodeJS.ProcessEnv = process.env): NetworkSimConfig {
  const port = Number(env.NETWORK_SIM_PORT ?? 8090);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidArgument(`NETWORK_SIM_PORT must be an integer 0…65535, got "${env.NETWORK_SIM_PORT}"`);
  }
  const cardLimit = Number(env.NETWORK_SIM_CARD_LIMIT ?? 500_000);
  if (!Number.isSafeInteger(cardLimit) || cardLimit < 0) {
    throw new InvalidArgument(`NETWORK_SIM_CARD_LIMIT must be a non-negative integer (minor units), got "${env.NETWORK_SIM_CARD_LIMIT}"`);
  }
  const jwksUrl = env.FACEKEY_JWKS_URL ?? 'http://127.0.0.1:8080/.well-known/jwks.json';
  if (!URL.canParse(jwksUrl)) throw new InvalidArgument(`FACEKEY_JWKS_URL must be an absolute URL, got "${jwksUrl}"`);
  const apiKey = env.NETWORK_SIM_API_KEY || undefined;
  if (apiKey !== undefined && apiKey.length < 24) throw new InvalidArgument('NETWORK_SIM_API_KEY must be at least 24 characters');
  const issuer = env.FACEKEY_ISSUER ?? 'http://127.0.0.1:8080';
  const cardPageOrigins = (env.NETWORK_SIM_CARD_PAGE_ORIGINS ?? (URL.canParse(issuer) ? new URL(issuer).origin : ''))
    .split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin !== '');
  return {
    port,
    host: env.NETWORK_SIM_HOST ?? '127.0.0.1',
    cardPageOrigins,
    dataDir: path.resolve(env.NETWORK_SIM_DATA_DIR ?? './data/network-sim'),
    jwksUrl,
    issuer,
    cardLimit,
    logLevel: env.LOG_LEVEL ?? 'info',
    ...(apiKey ? { apiKey } : {}),
  };
}
