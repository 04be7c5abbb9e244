/**
 * The transport-neutral core of device signatures: whatever carried the message (HTTP with RFC
 * 9421 headers today, an MQTT device message later), a device's signature is checked the same
 * way. Everything that needs no database runs first and the nonce is claimed last, only for a
 * message that verified: a forged or malformed message can neither burn a legitimate device's
 * nonce nor learn whether a device is revoked.
 */
import type { Parameters } from 'structured-headers';
import { DeviceRevoked, DeviceUnknown, ReplayDetected, SignatureExpired, SignatureInvalid } from './device-errors.js';
import { ed25519Verifies } from './ed25519-verify.js';
import type { NonceClaims } from './nonce-store.js';
import { messageSignatureBase, MissingComponent, signatureParams } from './signature-base.js';
import { NONCE_PATTERN, TERMINAL_SIGNATURE_ALG } from './signature-profile.js';
import type { Terminal, TerminalLookup } from './terminal-registry.js';

/** A signed message as its transport profile parsed it. */
export interface SignedMessage {
  /** The components the signature covers, in signing order. */
  readonly covered: readonly string[];
  /** The signature parameters: alg, created, expires, nonce, keyid (and any the profile adds, e.g. tag). */
  readonly parameters: Parameters;
  /** The 64-byte Ed25519 signature. */
  readonly signature: Uint8Array;
  /** How the transport labels the signature (the Signature dictionary key), for error messages. */
  readonly label?: string;
  /** A covered component's value in this transport; undefined when the message has none. */
  component(name: string): string | undefined;
  /**
   * Throws SignatureInvalid unless the payload matches the covered component that binds it (HTTP:
   * the body against Content-Digest). Runs after the time checks, before the signature base.
   */
  checkPayload?(): void;
}

export interface SignedMessagePolicy {
  /** Components every signature of this profile must cover. */
  readonly required: readonly string[];
  readonly terminals: TerminalLookup;
  readonly nonces: NonceClaims;
  readonly now?: Date;
  /** How far apart the device's and the server's clocks may be. */
  readonly maxSkewSeconds?: number;
  /** The longest a signature may live (`expires - created`) and the oldest `created` accepted. */
  readonly maxLifetimeSeconds?: number;
}

/** A message that passed verification: which device signed it, and the signature's now-claimed nonce and times. */
export interface VerifiedSignedMessage {
  readonly terminal: Terminal;
  /** Unique per device within the signature's lifetime: callers may bind it into what they issue. */
  readonly nonce: string;
  readonly createdAt: Date;
  readonly expiresAt: Date;
}

interface SignatureTimes {
  readonly created: number;
  readonly expires: number;
  readonly nonce: string;
  readonly keyid: string;
}

/** Resolves to the verified, unrevoked device; rejects with one of the errors in device-errors.ts. */
export async function verifySignedMessage(
  message: SignedMessage,
  { required, terminals, nonces, now = new Date(), maxSkewSeconds = 30, maxLifetimeSeconds = 300 }: SignedMessagePolicy,
): Promise<VerifiedSignedMessage> {
  const missing = required.filter((name) => !message.covered.includes(name));
  if (missing.length > 0) throw new SignatureInvalid(`the signature does not cover ${missing.map((m) => `"${m}"`).join(', ')}`);
  const params = signatureTimes(message.parameters);

  const nowSeconds = Math.floor(now.getTime() / 1000);
  if (params.created > nowSeconds + maxSkewSeconds) throw new SignatureExpired('signature was created in the future');
  if (nowSeconds - params.created > maxLifetimeSeconds) throw new SignatureExpired('signature was created too long ago');
  if (nowSeconds > params.expires + maxSkewSeconds) throw new SignatureExpired('signature has expired');
  if (params.expires <= params.created) throw new SignatureInvalid('signature expires before it was created');
  // Bounds how long a nonce must be remembered, whatever expiry a device asks for.
  if (params.expires - params.created > maxLifetimeSeconds)
    throw new SignatureInvalid(`signature lifetime exceeds ${maxLifetimeSeconds} seconds`);

  message.checkPayload?.();
  let base: string;
  try {
    base = messageSignatureBase(message.covered, signatureParams(message.covered, message.parameters), (name) => message.component(name));
  } catch (error) {
    if (error instanceof MissingComponent) throw new SignatureInvalid(error.message);
    throw error;
  }

  const terminal = await terminals.get(params.keyid);
  if (!terminal) throw new DeviceUnknown('no terminal has this keyid');
  const valid = ed25519Verifies(terminal.publicKeyJwk.x, Buffer.from(base, 'utf8'), message.signature);
  if (!valid) throw new SignatureInvalid(`signature "${message.label ?? 'signature'}" does not verify with the terminal's key`);
  if (terminal.revokedAt !== null) throw new DeviceRevoked('this terminal has been revoked');

  // Kept until no clock within the skew could still accept the signature.
  const nonceExpiresAt = new Date((params.expires + maxSkewSeconds + 1) * 1000);
  if (!(await nonces.claim(terminal.id, params.nonce, nonceExpiresAt))) throw new ReplayDetected('this nonce was already used');
  await terminals.seen?.(terminal.id);
  return { terminal, nonce: params.nonce, createdAt: new Date(params.created * 1000), expiresAt: new Date(params.expires * 1000) };
}

function signatureTimes(params: Parameters): SignatureTimes {
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
