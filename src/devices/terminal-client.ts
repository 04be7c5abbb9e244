/**
 * The terminal side: a key pair whose private half never leaves the device, and RFC 9421 signing
 * of each request under facekey's profile (signature-profile.ts).
 */
import { randomBytes, sign, type KeyObject } from 'node:crypto';
import { generateEd25519KeyPair } from './ed25519-key-pair.js';
import type { Ed25519PublicJwk } from './ed25519-public-key.js';
import { contentDigest } from './content-digest.js';
import { terminalSignatureHeader, terminalSignaturePlan } from './terminal-signature.js';

export interface TerminalKeyPair {
  readonly privateKey: KeyObject;
  /** What the tenant's admin registers as the terminal's `publicKey`. */
  readonly publicJwk: Ed25519PublicJwk;
}

export function generateTerminalKeyPair(): TerminalKeyPair {
  return generateEd25519KeyPair();
}

export interface RequestToSign {
  readonly method: string;
  /** Absolute URL, exactly as it will be requested. */
  readonly url: string | URL;
  readonly headers?: Readonly<Record<string, string>>;
  /** The exact bytes that will be sent; a string is sent as UTF-8. */
  readonly body?: string | Uint8Array;
}

export interface TerminalCredentials {
  readonly terminalId: string;
  readonly privateKey: KeyObject;
}

export interface SigningOptions {
  readonly now?: Date;
  /** Tests pin it; otherwise 128 random bits. */
  readonly nonce?: string;
  readonly ttlSeconds?: number;
}

export interface TerminalSignatureHeaders {
  readonly 'content-digest': string;
  readonly 'signature-input': string;
  readonly signature: string;
}

/** The headers to add to the request. The method is signed upper-cased: send it that way too. */
export function signTerminalRequest(
  request: RequestToSign,
  { terminalId, privateKey }: TerminalCredentials,
  { now = new Date(), nonce = randomBytes(16).toString('base64url'), ttlSeconds = 60 }: SigningOptions = {},
): TerminalSignatureHeaders {
  const body = typeof request.body === 'string' ? Buffer.from(request.body, 'utf8') : (request.body ?? new Uint8Array());
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers ?? {})) headers[name.toLowerCase()] = value;
  const plan = terminalSignaturePlan(
    { method: request.method.toUpperCase(), url: request.url, headers, contentDigest: contentDigest(body), hasBody: body.length > 0 },
    { terminalId, created: Math.floor(now.getTime() / 1000), nonce, ttlSeconds },
  );
  const signature = sign(null, Buffer.from(plan.base, 'utf8'), privateKey);
  return { 'content-digest': plan.contentDigest, 'signature-input': plan.signatureInput, signature: terminalSignatureHeader(signature) };
}

export interface SignedFetchInit extends TerminalCredentials, SigningOptions {
  readonly method?: string;
  /** Sent as application/json. */
  readonly json?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** fetch with a terminal signature, for tests, benchmarks and the terminal simulator. */
export function signedFetch(url: string | URL, init: SignedFetchInit): Promise<Response> {
  const { method = 'GET', json, terminalId, privateKey, headers = {}, ...options } = init;
  const upperMethod = method.toUpperCase();
  const body = json === undefined ? undefined : JSON.stringify(json);
  const allHeaders: Record<string, string> = { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) };
  const signed = signTerminalRequest({ method: upperMethod, url, headers: allHeaders, body }, { terminalId, privateKey }, options);
  return fetch(url, { method: upperMethod, headers: { ...allHeaders, ...signed }, ...(body === undefined ? {} : { body }) });
}
