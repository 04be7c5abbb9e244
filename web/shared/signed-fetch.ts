/**
 * fetch signed as a facekey terminal (RFC 9421, Ed25519) from the browser. The signature base,
 * parameters and headers come from src/devices/terminal-signature.ts, the same code the Node
 * client uses and the server's verifier agrees with; only SHA-256 and Ed25519 are WebCrypto here.
 */
import { bytesToBase64url, sha256ContentDigest, terminalSignatureHeader, terminalSignaturePlan } from '../../src/devices/terminal-signature.js';

export interface BrowserTerminalCredentials {
  readonly terminalId: string;
  /** Ed25519, non-extractable, usage `sign`. */
  readonly privateKey: CryptoKey;
}

export interface BrowserSigningOptions {
  readonly now?: Date;
  readonly nonce?: string;
  readonly ttlSeconds?: number;
}

export interface BrowserSignatureHeaders {
  readonly 'content-digest': string;
  readonly 'signature-input': string;
  readonly signature: string;
}

const encoder = new TextEncoder();

function randomNonce(): string {
  return bytesToBase64url(crypto.getRandomValues(new Uint8Array(16)));
}

export async function signBrowserRequest(
  request: { readonly method: string; readonly url: string | URL; readonly headers?: Readonly<Record<string, string>>; readonly body?: string },
  { terminalId, privateKey }: BrowserTerminalCredentials,
  { now = new Date(), nonce = randomNonce(), ttlSeconds = 60 }: BrowserSigningOptions = {},
): Promise<BrowserSignatureHeaders> {
  const body = encoder.encode(request.body ?? '');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers ?? {})) headers[name.toLowerCase()] = value;
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', body));
  const plan = terminalSignaturePlan(
    { method: request.method.toUpperCase(), url: request.url, headers, contentDigest: sha256ContentDigest(digest), hasBody: body.length > 0 },
    { terminalId, created: Math.floor(now.getTime() / 1000), nonce, ttlSeconds },
  );
  const signature = new Uint8Array(await crypto.subtle.sign({ name: 'Ed25519' }, privateKey, encoder.encode(plan.base)));
  return { 'content-digest': plan.contentDigest, 'signature-input': plan.signatureInput, signature: terminalSignatureHeader(signature) };
}

/** A signed JSON request; the URL is made absolute against the page so `@authority` is what fetch sends. */
export async function signedFetch(path: string, credentials: BrowserTerminalCredentials, init: { method?: string; json?: unknown } = {}): Promise<Response> {
  const method = (init.method ?? (init.json === undefined ? 'GET' : 'POST')).toUpperCase();
  const url = new URL(path, globalThis.location?.href ?? 'http://localhost/');
  const body = init.json === undefined ? undefined : JSON.stringify(init.json);
  const headers: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json' };
  const signed = await signBrowserRequest({ method, url, headers, ...(body === undefined ? {} : { body }) }, credentials);
  return fetch(url, { method, headers: { ...headers, ...signed, accept: 'application/json, application/problem+json' }, credentials: 'omit', ...(body === undefined ? {} : { body }) });
}
