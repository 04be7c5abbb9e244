import { createHash } from 'node:crypto';
import canonicalizeModule from 'canonicalize';
import type { AuditEntry } from './audit-entry.js';

// canonicalize 2 is CommonJS (`module.exports = serialize`) but its typings declare an ES default
// export, so under NodeNext the default import is typed as the module; at run time it is the function.
const canonicalize = canonicalizeModule as unknown as (input: unknown) => string | undefined;

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
