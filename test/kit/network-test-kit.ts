import { after, before } from 'node:test';
/** Shared by the simulator's tests: a running simulator, a facekey-like signing key, small HTTP helpers. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWTVerifyGetKey } from 'jose';
import { ASSERTION_AUDIENCE, ASSERTION_TYPE, type AssertionClaims } from '../../src/checkout/assertion-claims.js';
import type { NetworkSimConfig } from '../../src/network-sim/network-sim-config.js';
import { startNetworkSimulator } from '../../src/network-sim/start-network-simulator.js';

export const ISSUER = 'http://facekey.test';
export const TEST_PAN = '4111111111111111';
export const MERCHANT = 'tenant_merchant_1';

export interface SigningKey {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly jwk: Record<string, unknown>;
}

export async function makeSigningKey(kid = 'facekey-test-1'): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' } };
}

export function localKeys(...keys: SigningKey[]): JWTVerifyGetKey {
  return createLocalJWKSet({ keys: keys.map((k) => k.jwk) }) as JWTVerifyGetKey;
}

export interface AssertionOptions {
  readonly claims?: Partial<Record<keyof AssertionClaims, unknown>>;
  readonly header?: Record<string, unknown>;
  readonly now?: Date;
  readonly key?: SigningKey;
}

let jtiCounter = 0;

export async function signAssertion(key: SigningKey, tokenRef: string, options: AssertionOptions = {}): Promise<string> {
  const iat = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const claims: AssertionClaims = {
    iss: ISSUER,
    aud: ASSERTION_AUDIENCE,
    iat,
    exp: iat + 120,
    jti: `jti-${process.pid}-${++jtiCounter}-${Math.random().toString(36).slice(2)}`,
    token_ref: tokenRef,
    amount: 1250,
    currency: 'EUR',
    merchant: MERCHANT,
    merchant_ref: 'order-42',
    terminal: 'term_1',
    nonce: 'nonce-1',
    engine: { id: 'human-faceres', version: '1' },
    score: 0.91,
    threshold: 0.6,
    target_fmr: 1e-6,
    liveness: { method: 'burst', passed: true },
    second_factor: null,
  };
  return new SignJWT({ ...claims, ...options.claims } as Record<string, unknown>)
    .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: ASSERTION_TYPE, ...options.header })
    .sign((options.key ?? key).privateKey);
}

/** The request body matching signAssertion's default claims. */
export function matchingRequest(assertion: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { assertion, amount: 1250, currency: 'EUR', merchant: MERCHANT, merchantRef: 'order-42', ...overrides };
}

export interface TestSimulator {
  readonly url: string;
  /** The acquirer API key every /v1 call carries. */
  readonly apiKey: string;
  readonly dataDir: string;
  readonly logLines: string[];
  /** Moves the simulator's clock. */
  setNow(now: Date): void;
  close(): Promise<void>;
  post(path: string, body: unknown): Promise<{ status: number; contentType: string | null; json: any }>;
  request(method: string, path: string): Promise<{ status: number; contentType: string | null; json: any }>;
  tokenize(expiry?: { expiryMonth: number; expiryYear: number }, pan?: string): Promise<string>;
}

export async function startTestSimulator(overrides: Partial<NetworkSimConfig> = {}): Promise<TestSimulator> {
  const ownsDataDir = overrides.dataDir === undefined;
  const dataDir = overrides.dataDir ?? mkdtempSync(path.join(tmpdir(), 'network-sim-'));
  const logLines: string[] = [];
  let now: Date | undefined;
  const running = await startNetworkSimulator({
    port: 0,
    host: '127.0.0.1',
    jwksUrl: 'http://127.0.0.1:9/unused',
    issuer: ISSUER,
    cardLimit: 500_000,
    logLevel: 'info',
    logStream: { write: (line) => void logLines.push(line) },
    clock: () => now ?? new Date(),
    webhookRetryDelaysMs: [20, 40],
    ...overrides,
    dataDir,
  });
  const call = async (method: string, p: string, body?: unknown) => {
    const authorization = { authorization: `Bearer ${running.apiKey}` };
    const response = await fetch(running.url + p, {
      method,
      headers: body === undefined ? authorization : { ...authorization, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, contentType: response.headers.get('content-type'), json: text ? JSON.parse(text) : undefined };
  };
  const sim: TestSimulator = {
    url: running.url,
    apiKey: running.apiKey,
    dataDir,
    logLines,
    setNow: (next) => void (now = next),
    close: async () => {
      await running.close();
      if (ownsDataDir) rmSync(dataDir, { recursive: true, force: true });
    },
    post: (p, body) => call('POST', p, body),
    request: (method, p) => call(method, p),
    tokenize: async (expiry = { expiryMonth: 12, expiryYear: 2099 }, pan = TEST_PAN) => {
      const response = await call('POST', '/v1/tokens', { pan, ...expiry });
      if (response.status !== 201) throw new Error(`tokenize failed: ${response.status} ${JSON.stringify(response.json)}`);
      return response.json.tokenRef as string;
    },
  };
  return sim;
}

export interface SimulatorWithCard {
  /** The signing key the simulator trusts (facekey's, as far as the network knows). */
  readonly facekey: SigningKey;
  readonly sim: TestSimulator;
  /** A card tokenized at start. */
  readonly tokenRef: string;
}

/**
 * For the suite it is called in: a simulator that trusts one local signing key, with one card
 * tokenized before the first test, closed after the last. Read the fields inside tests only.
 */
export function simulatorWithCard(overrides: Partial<NetworkSimConfig> = {}): SimulatorWithCard {
  const suite = {} as { facekey: SigningKey; sim: TestSimulator; tokenRef: string };
  before(async () => {
    suite.facekey = await makeSigningKey();
    suite.sim = await startTestSimulator({ keys: localKeys(suite.facekey), ...overrides });
    suite.tokenRef = await suite.sim.tokenize();
  });
  after(async () => suite.sim?.close());
  return suite;
}
