/**
 * Server-side check of a terminal's signed HTTP request: facekey's RFC 9421 profile over the
 * transport-neutral core in verify-signed-message.ts. This file reads the Signature and
 * Signature-Input headers, names the components HTTP must cover, and binds the body through
 * Content-Digest; the core checks times, key, signature, revocation and replay.
 */
import { isInnerList, parseDictionary, type Dictionary, type InnerList } from 'structured-headers';
import { SignatureInvalid, SignatureMissing } from './device-errors.js';
import { contentDigestMatches } from './content-digest.js';
import type { NonceClaims } from './nonce-store.js';
import { componentValue, type HttpRequestParts } from './signature-base.js';
import { REQUIRED_COMPONENTS, TERMINAL_SIGNATURE_TAG } from './signature-profile.js';
import type { Terminal, TerminalLookup } from './terminal-registry.js';
import { verifySignedMessage, type VerifiedSignedMessage } from './verify-signed-message.js';

export interface TerminalRequest extends HttpRequestParts {
  /** The exact body bytes received; undefined or empty when there was no body. */
  readonly rawBody: Uint8Array | undefined;
}

export interface VerifyTerminalOptions {
  readonly terminals: TerminalLookup;
  readonly nonces: NonceClaims;
  readonly now?: Date;
  /** How far apart the terminal's and the server's clocks may be. */
  readonly maxSkewSeconds?: number;
  /** The longest a signature may live (`expires - created`) and the oldest `created` accepted. */
  readonly maxLifetimeSeconds?: number;
}

/** A request that passed verification: who signed it, and the signature's now-claimed nonce and times. */
export type VerifiedTerminalRequest = VerifiedSignedMessage;

/** Resolves to the verified, unrevoked terminal; rejects with one of the errors in device-errors.ts. */
export async function verifyTerminalRequest(request: TerminalRequest, options: VerifyTerminalOptions): Promise<Terminal> {
  return (await verifyTerminalSignature(request, options)).terminal;
}

/** verifyTerminalRequest, also returning the signature's nonce and times. */
export async function verifyTerminalSignature(request: TerminalRequest, options: VerifyTerminalOptions): Promise<VerifiedTerminalRequest> {
  const body = request.rawBody ?? new Uint8Array();
  const { label, input, signature } = selectSignature(request);
  return verifySignedMessage(
    {
      covered: coveredComponents(input),
      parameters: input[1],
      signature,
      label,
      component: (name) => componentValue(name, request),
      checkPayload: () => {
        if (!contentDigestMatches(headerValue(request, 'content-digest') ?? '', body))
          throw new SignatureInvalid('the body does not match its content-digest');
      },
    },
    { ...options, required: requiredComponents(request, body) },
  );
}

function headerValue(request: HttpRequestParts, name: string): string | undefined {
  const value = request.headers[name];
  return value === undefined ? undefined : typeof value === 'string' ? value : value.join(', ');
}

/** The one Signature-Input member tagged for facekey terminals, and its signature bytes. */
function selectSignature(request: HttpRequestParts): { label: string; input: InnerList; signature: Buffer } {
  const inputHeader = headerValue(request, 'signature-input');
  const signatureHeader = headerValue(request, 'signature');
  if (inputHeader === undefined && signatureHeader === undefined) throw new SignatureMissing('the request is not signed');
  if (inputHeader === undefined || signatureHeader === undefined)
    throw new SignatureInvalid('Signature and Signature-Input must be sent together');
  const inputs = parseSignatureDictionary(inputHeader, 'Signature-Input');
  const signatures = parseSignatureDictionary(signatureHeader, 'Signature');

  const tagged = [...inputs].filter(([, member]) => isInnerList(member) && member[1].get('tag') === TERMINAL_SIGNATURE_TAG);
  if (tagged.length === 0) throw new SignatureInvalid(`no signature is tagged "${TERMINAL_SIGNATURE_TAG}"`);
  // Two candidates would make "which one was checked" ambiguous for whoever audits the request.
  if (tagged.length > 1) throw new SignatureInvalid(`more than one signature is tagged "${TERMINAL_SIGNATURE_TAG}"`);
  const [label, input] = tagged[0]! as [string, InnerList];
  const member = signatures.get(label);
  const bytes = member && !isInnerList(member) ? member[0] : undefined;
  if (!(bytes instanceof ArrayBuffer) || bytes.byteLength !== 64)
    throw new SignatureInvalid(`Signature has no 64-byte Ed25519 signature labelled "${label}"`);
  return { label, input, signature: Buffer.from(bytes) };
}

function parseSignatureDictionary(value: string, name: string): Dictionary {
  try {
    return parseDictionary(value);
  } catch {
    throw new SignatureInvalid(`${name} is not a valid structured-field dictionary`);
  }
}

function coveredComponents(input: InnerList): string[] {
  const covered: string[] = [];
  for (const [name, params] of input[0]) {
    if (typeof name !== 'string' || params.size > 0) throw new SignatureInvalid('covered components must be plain names');
    if (covered.includes(name)) throw new SignatureInvalid(`"${name}" is covered twice`);
    covered.push(name);
  }
  return covered;
}

/** facekey's HTTP profile: method, authority, path, query and body digest, and Content-Type whenever there is a body. */
function requiredComponents(request: HttpRequestParts, body: Uint8Array): string[] {
  // Content-Type decides how the body is parsed, so a body or a Content-Type must be signed too.
  const needsContentType = body.length > 0 || request.headers['content-type'] !== undefined;
  return [...REQUIRED_COMPONENTS, ...(needsContentType ? ['content-type'] : [])];
}
