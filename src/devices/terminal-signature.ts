/**
 * The environment-neutral half of terminal request signing: which components are covered, the
 * signature parameters, the RFC 9421 base and the header values. No `node:` imports, so the
 * browser kiosk (web/shared/signed-fetch.ts) and the Node client (terminal-client.ts) build the
 * same bytes from the same code; each only brings its own SHA-256 and Ed25519.
 */
import { signatureBase, signatureParams } from './signature-base.js';
import { REQUIRED_COMPONENTS, TERMINAL_SIGNATURE_ALG, TERMINAL_SIGNATURE_LABEL, TERMINAL_SIGNATURE_TAG } from './signature-profile.js';

/** Standard base64 of bytes, without Buffer (btoa exists in browsers and in Node ≥ 16). */
export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

export function bytesToBase64url(bytes: Uint8Array): string {
  return bytesToBase64(bytes).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** RFC 9530 Content-Digest header value from the SHA-256 of the body. */
export function sha256ContentDigest(sha256: Uint8Array): string {
  return `sha-256=:${bytesToBase64(sha256)}:`;
}

export interface TerminalRequestShape {
  /** Upper-cased by the caller: the method is signed as it is sent. */
  readonly method: string;
  readonly url: string | URL;
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  /** The Content-Digest value of the exact body bytes (an empty body too). */
  readonly contentDigest: string;
  readonly hasBody: boolean;
}

export interface TerminalSignatureParameters {
  readonly terminalId: string;
  /** Seconds since the epoch. */
  readonly created: number;
  readonly nonce: string;
  readonly ttlSeconds: number;
}

export interface TerminalSignaturePlan {
  /** What the Ed25519 signature is made over (UTF-8). */
  readonly base: string;
  readonly contentDigest: string;
  /** The Signature-Input header value. */
  readonly signatureInput: string;
}

export function terminalSignaturePlan(request: TerminalRequestShape, { terminalId, created, nonce, ttlSeconds }: TerminalSignatureParameters): TerminalSignaturePlan {
  const url = new URL(request.url);
  const headers: Record<string, string> = { ...request.headers, 'content-digest': request.contentDigest };
  if (request.hasBody && headers['content-type'] === undefined) throw new Error('a request with a body needs a content-type to sign');
  const covered: string[] = [...REQUIRED_COMPONENTS, ...(headers['content-type'] === undefined ? [] : ['content-type'])];
  const params = signatureParams(
    covered,
    new Map<string, string | number>([
      ['created', created],
      ['expires', created + ttlSeconds],
      ['nonce', nonce],
      ['keyid', terminalId],
      ['alg', TERMINAL_SIGNATURE_ALG],
      ['tag', TERMINAL_SIGNATURE_TAG],
    ]),
  );
  // WHATWG URL parsing already normalized the authority, path and query the way fetch sends them.
  const base = signatureBase(covered, params, { method: request.method, authority: url.host, path: url.pathname, query: url.search, headers });
  return { base, contentDigest: request.contentDigest, signatureInput: `${TERMINAL_SIGNATURE_LABEL}=${params}` };
}

/** The Signature header value for the raw 64-byte Ed25519 signature. */
export function terminalSignatureHeader(signature: Uint8Array): string {
  return `${TERMINAL_SIGNATURE_LABEL}=:${bytesToBase64(signature)}:`;
}
