/**
 * RFC 9530 Content-Digest over the exact body bytes. The signature covers this header rather than
 * the body, so the digest is what binds the body to the signature: the server must hash the bytes
 * it received, never a re-serialization of the parsed JSON.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { parseDictionary } from 'structured-headers';
import { sha256ContentDigest } from './terminal-signature.js';

const ALGORITHMS = { 'sha-256': 'sha256', 'sha-512': 'sha512' } as const;

export function contentDigest(body: Uint8Array): string {
  return sha256ContentDigest(createHash('sha256').update(body).digest());
}

/**
 * True when the header has a sha-256 digest and every digest it carries with a known algorithm
 * matches `body`; unknown algorithms are ignored, as RFC 9530 asks. A malformed header is false.
 */
export function contentDigestMatches(header: string, body: Uint8Array): boolean {
  let members;
  try {
    members = parseDictionary(header);
  } catch {
    return false;
  }
  if (!members.has('sha-256')) return false;
  for (const [name, algorithm] of Object.entries(ALGORITHMS)) {
    const member = members.get(name);
    if (member === undefined) continue;
    const claimed = member[0];
    if (!(claimed instanceof ArrayBuffer)) return false;
    const actual = createHash(algorithm).update(body).digest();
    if (claimed.byteLength !== actual.length || !timingSafeEqual(Buffer.from(claimed), actual)) return false;
  }
  return true;
}
