import { createHash } from 'node:crypto';
import canonicalizeModule from 'canonicalize';
import type { AuditEntry } from './audit-entry.js';

// canonicalize 2 is CommonJS (`module.exports = serialize`) but its typings declare an ES default
// export, so under NodeNext the default import is typed as the module; at run time it is the function.
const serialize = canonicalizeModule as unknown as (input: unknown) => string | undefined;

/** In u-mode, \p{Surrogate} matches only a surrogate that is not half of a pair. */
const LONE_SURROGATE = /\p{Surrogate}/u;

/**
 * RFC 8785 requires well-formed Unicode (I-JSON); canonicalize 2 would escape a lone surrogate
 * instead of refusing it, so strings are checked first and such content has no canonical form.
 */
function canonicalize(value: unknown): string | undefined {
  const check = (node: unknown): void => {
    if (typeof node === 'string') {
      if (LONE_SURROGATE.test(node)) throw new Error('a string holds a lone surrogate, which is not valid Unicode');
    } else if (Array.isArray(node)) node.forEach(check);
    else if (typeof node === 'object' && node !== null) for (const [key, child] of Object.entries(node)) (check(key), check(child));
  };
  check(value);
  return serialize(value);
}

/** The first entry's prevHash: there is no predecessor to commit to. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * SHA-256 (hex) of the RFC 8785 canonical JSON of everything in the entry but its own hash.
 * Canonical JSON makes the hash independent of key order and number formatting, so an auditor can
 * recompute it with any JCS implementation, in any language.
 */
export function auditEntryHash(entry: Omit<AuditEntry, 'hash'>): string {
  const { seq, at, type, tenantId, actor, data, prevHash } = entry;
  const canonical = canonicalize({ seq, at, type, tenantId, actor, data, prevHash });
  if (canonical === undefined) throw new Error('audit entry has no JSON form');
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}
