/**
 * Server-side check of a terminal's signed request (facekey's RFC 9421 profile). Everything that
 * needs no database runs first and the nonce is claimed last, only for a request that verified:
 * a forged or malformed request can neither burn a legitimate terminal's nonce nor learn whether
 * a device is revoked.
 */
import { isInnerList, parseDictionary, type Dictionary, type InnerList } from 'structured-headers';
import { DeviceRevoked, DeviceUnknown, ReplayDetected, SignatureExpired, SignatureInvalid, SignatureMissing } from './device-errors.js';
import { contentDigestMatches } from './content-digest.js';
import { ed25519Verifies } from './ed25519-verify.js';
import type { NonceClaims } from './nonce-store.js';
import { MissingComponent, signatureBase, signatureParams, type HttpRequestParts } from './signature-base.js';
import { NONCE_PATTERN, REQUIRED_COMPONENTS, TERMINAL_SIGNATURE_ALG, TERMINAL_SIGNATURE_TAG } from './signature-profile.js';
import type { Terminal, TerminalLookup } from './terminal-registry.js';

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

interface SignatureParams {
  readonly created: number;
  readonly expires: number;
  readonly nonce: string;
  readonly keyid: string;
}

/** A request that passed verification: who signed it, and the signature's now-claimed nonce and times. */
export interface VerifiedTerminalRequest {
  readonly terminal: Terminal;
  /** Unique per terminal within the signature's lifetime: callers may bind it into what they issue. */
  readonly nonce: string;
  readonly createdAt: Date;
  readonly expiresAt: Date;
}

/** Resolves to the verified, unrevoked terminal; rejects with one of the errors in device-errors.ts. */
export async function verifyTerminalRequest(request: TerminalRequest, options: VerifyTerminalOptions): Promise<Terminal> {
  return (await verifyTerminalSignature(request, options)).terminal;
}

/** verifyTerminalRequest, also returning the signature's nonce and times. */
export async function verifyTerminalSignature(
  request: TerminalRequest,
  { terminals, nonces, now = new Date(), maxSkewSeconds = 30, maxLifetimeSeconds = 300 }: VerifyTerminalOptions,
): Promise<VerifiedTerminalRequest> {
  const body = request.rawBody ?? new Uint8Array();
  const { label, input, signature } = selectSignature(request);
  const covered = coveredComponents(input, request, body);
  const params = signatureParameters(input);

  const nowSeconds = Math.floor(now.getTime() / 1000);
  if (params.created > nowSeconds + maxSkewSeconds) throw new SignatureExpired('signature was created in the future');
  if (nowSeconds - params.created > maxLifetimeSeconds) throw new SignatureExpired('signature was created too long ago');
  if (nowSeconds > params.expires + maxSkewSeconds) throw new SignatureExpired('signature has expired');
  if (params.expires <= params.created) throw new SignatureInvalid('signature expires before it was created');
  // Bounds how long a nonce must be remembered, whatever expiry a terminal asks for.
  if (params.expires - params.created > maxLifetimeSeconds)
    throw new SignatureInvalid(`signature lifetime exceeds ${maxLifetimeSeconds} seconds`);

  if (!contentDigestMatches(headerValue(request, 'content-digest') ?? '', body))
    throw new SignatureInvalid('the body does not match its content-digest');
  let base: string;
  try {
    base = signatureBase(covered, signatureParams(covered, input[1]), request);
  } catch (error) {
    if (error instanceof MissingComponent) throw new SignatureInvalid(error.message);
    throw error;
  }

  const terminal = await terminals.get(params.keyid);
  if (!terminal) throw new DeviceUnknown('no terminal has this keyid');
  const valid = ed25519Verifies(terminal.publicKeyJwk.x, Buffer.from(base, 'utf8'), signature);
  if (!valid) throw new SignatureInvalid(`signature "${label}" does not verify with the terminal's key`);
  if (terminal.revokedAt !== null) throw new DeviceRevoked('this terminal has been revoked');

  // Kept until no clock within the skew could still accept the signature.
  const nonceExpiresAt = new Date((params.expires + maxSkewSeconds + 1) * 1000);
  if (!(await nonces.claim(terminal.id, params.nonce, nonceExpiresAt))) throw new ReplayDetected('this nonce was already used');
  return { terminal, nonce: params.nonce, createdAt: new Date(params.created * 1000), expiresAt: new Date(params.expires * 1000) };
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

function coveredComponents(input: InnerList, request: HttpRequestParts, body: Uint8Array): string[] {
  const covered: string[] = [];
  for (const [name, params] of input[0]) {
    if (typeof name !== 'string' || params.size > 0) throw new SignatureInvalid('covered components must be plain names');
    if (covered.includes(name)) throw new SignatureInvalid(`"${name}" is covered twice`);
    covered.push(name);
  }
  // Content-Type decides how the body is parsed, so a body or a Content-Type must be signed too.
  const needsContentType = body.length > 0 || request.headers['content-type'] !== undefined;
  const required = [...REQUIRED_COMPONENTS, ...(needsContentType ? ['content-type'] : [])];
  const missing = required.filter((name) => !covered.includes(name));
  if (missing.length > 0) throw new SignatureInvalid(`the signature does not cover ${missing.map((m) => `"${m}"`).join(', ')}`);
  return covered;
}

function signatureParameters(input: InnerList): SignatureParams {
  const params = input[1];
  const alg = params.get('alg');
  if (alg !== TERMINAL_SIGNATURE_ALG) throw new SignatureInvalid(`alg must be "${TERMINAL_SIGNATURE_ALG}"`);
  const created = params.get('created');
  const expires = params.get('expires');
  const nonce = params.get('nonce');
  const keyid = params.get('keyid');
  if (!Number.isInteger(created) || !Number.isInteger(expires)) throw new SignatureInvalid('created and expires must be integers');
  if (typeof nonce !== 'string' || !NONCE_PATTERN.test(nonce)) throw new SignatureInvalid('nonce must be 16 to 128 base64url characters');
  if (typeof keyid !== 'string' || keyid.length === 0 || keyid.length > 200) throw new SignatureInvalid('keyid must name a terminal');
  return { created: created as number, expires: expires as number, nonce, keyid };
}
