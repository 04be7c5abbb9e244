/**
 * Terminal public keys arrive as JWKs from a tenant's admin and are stored as the raw 32 bytes
 * (base64url). Beyond the JWK's shape, the point itself is checked: a key that is not a point on
 * the curve can never verify anything (a terminal registered with it is silently dead), and a
 * small-order point lets anyone forge signatures that verify for it, so both are refused when the
 * terminal is registered rather than discovered at checkout.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { InvalidArgument } from '../errors/domain-errors.js';

export interface Ed25519PublicJwk {
  readonly kty: 'OKP';
  readonly crv: 'Ed25519';
  /** base64url of the raw 32-byte public key (RFC 8037). */
  readonly x: string;
}

const BASE64URL = /^[A-Za-z0-9_-]{43}$/;

/** Validates a JWK as an Ed25519 public key and returns its raw bytes as base64url. */
export function ed25519PublicKeyFromJwk(jwk: unknown): string {
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) throw new InvalidArgument('publicKey must be a JWK object');
  const { kty, crv, x, d } = jwk as Record<string, unknown>;
  // A private key sent to the server has leaked; refusing it makes the terminal generate a new one.
  if (d !== undefined) throw new InvalidArgument('publicKey must not contain a private key ("d")');
  if (kty !== 'OKP' || crv !== 'Ed25519') throw new InvalidArgument('publicKey must be an Ed25519 JWK (kty "OKP", crv "Ed25519")');
  if (typeof x !== 'string' || !BASE64URL.test(x)) throw new InvalidArgument('publicKey.x must be 32 bytes of base64url');
  const raw = Buffer.from(x, 'base64url');
  // 43 base64url characters carry 258 bits; the last two must be zero or two spellings name one key.
  if (raw.length !== 32 || raw.toString('base64url') !== x) throw new InvalidArgument('publicKey.x is not canonical base64url');
  if (!isUsablePoint(raw)) throw new InvalidArgument('publicKey.x is not a valid Ed25519 public key');
  return x;
}

export function ed25519PublicJwk(rawBase64url: string): Ed25519PublicJwk {
  return { kty: 'OKP', crv: 'Ed25519', x: rawBase64url };
}

export function ed25519PublicKeyObject(rawBase64url: string): KeyObject {
  return createPublicKey({ key: { ...ed25519PublicJwk(rawBase64url) }, format: 'jwk' });
}

// Curve arithmetic (RFC 8032 §5.1) in BigInt: it runs once per registration, so clarity wins over speed.
const P = 2n ** 255n - 19n;
const mod = (a: bigint): bigint => ((a % P) + P) % P;
function pow(base: bigint, exponent: bigint): bigint {
  let result = 1n;
  let b = mod(base);
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % P;
    b = (b * b) % P;
  }
  return result;
}
const inverse = (a: bigint): bigint => pow(a, P - 2n);
const D = mod(-121665n * inverse(121666n));
const SQRT_M1 = pow(2n, (P - 1n) / 4n);

/** Decodes the point (RFC 8032 §5.1.3) and checks it is not of small order. */
function isUsablePoint(encoded: Buffer): boolean {
  const bytes = Buffer.from(encoded);
  const sign = bytes[31]! >> 7;
  bytes[31]! &= 0x7f;
  const y = BigInt('0x' + Buffer.from(bytes).reverse().toString('hex'));
  if (y >= P) return false;
  const y2 = (y * y) % P;
  const w = mod((y2 - 1n) * inverse(D * y2 + 1n));
  let x = pow(w, (P + 3n) / 8n);
  if ((x * x) % P !== w) {
    if ((x * x) % P !== mod(-w)) return false;
    x = (x * SQRT_M1) % P;
  }
  if (x === 0n && sign === 1) return false;
  // The curve's cofactor is 8: a point is of small order exactly when 8·point is the identity.
  let point: [bigint, bigint] = [x, y];
  for (let i = 0; i < 3; i++) point = double(point);
  return !(point[0] === 0n && point[1] === 1n);
}

function double([x, y]: [bigint, bigint]): [bigint, bigint] {
  const dxy = (D * x * x * y * y) % P;
  return [mod(2n * x * y * inverse(1n + dxy)), mod((y * y + x * x) * inverse(1n - dxy))];
}
