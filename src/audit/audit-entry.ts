import type { AuditEventType } from './audit-event-type.js';

export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | readonly JsonValue[] | { readonly [key: string]: JsonValue | undefined };
/** An entry's evidence. Undefined members are dropped before hashing, as JSON drops them. */
export type AuditData = { readonly [key: string]: JsonValue | undefined };

/** One link of the chain, exactly as stored and exported (one JSON Lines record per entry). */
export interface AuditEntry {
  readonly seq: number;
  /** ISO-8601, from the appending process's clock; ordering is by seq, never by time. */
  readonly at: string;
  readonly type: AuditEventType;
  readonly tenantId: string | null;
  /** Who caused it: `key:<keyId>`, `terminal:<id>`, `system:retention`, … */
  readonly actor: string;
  readonly data: AuditData;
  readonly prevHash: string;
  readonly hash: string;
}

/** The last entry's seq and hash: what an auditor records to detect a later truncation or rewrite. */
export interface AuditHead {
  /** 0 while the log is empty. */
  readonly seq: number;
  readonly hash: string;
}

/** The export's field order; nothing else may appear, since unhashed fields would read as evidence. */
export const AUDIT_ENTRY_FIELDS = ['seq', 'at', 'type', 'tenantId', 'actor', 'data', 'prevHash', 'hash'] as const;

const HASH = /^[0-9a-f]{64}$/;

/**
 * Why `value` is not a well-formed AuditEntry, or undefined when it is. `type` is any non-empty
 * string rather than a known AuditEventType so that an older verifier still checks a newer log.
 */
export function auditEntryShapeProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
  const entry = value as Record<string, unknown>;
  const extra = Object.keys(entry).filter((key) => !(AUDIT_ENTRY_FIELDS as readonly string[]).includes(key));
  if (extra.length > 0) return `unexpected field ${extra.map((k) => JSON.stringify(k)).join(', ')}`;
  if (!Number.isSafeInteger(entry.seq) || (entry.seq as number) < 1) return 'seq is not a positive integer';
  if (typeof entry.at !== 'string') return 'at is not a string';
  if (typeof entry.type !== 'string' || entry.type === '') return 'type is not a non-empty string';
  if (entry.tenantId !== null && typeof entry.tenantId !== 'string') return 'tenantId is neither a string nor null';
  if (typeof entry.actor !== 'string') return 'actor is not a string';
  if (typeof entry.data !== 'object' || entry.data === null || Array.isArray(entry.data)) return 'data is not a JSON object';
  if (typeof entry.prevHash !== 'string' || !HASH.test(entry.prevHash)) return 'prevHash is not 64 lowercase hex digits';
  if (typeof entry.hash !== 'string' || !HASH.test(entry.hash)) return 'hash is not 64 lowercase hex digits';
  return undefined;
}
