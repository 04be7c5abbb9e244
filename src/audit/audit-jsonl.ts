import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { AUDIT_ENTRY_FIELDS, auditEntryShapeProblem, type AuditEntry } from './audit-entry.js';

/**
 * The export format: JSON Lines, one entry per line, fields in AUDIT_ENTRY_FIELDS order. Line n
 * holds the n-th entry, so a verifier's position is the auditor's line number.
 */

/** A line that is not an audit entry; `seq` is recovered when the line is JSON with a usable seq. */
export class MalformedAuditLine {
  constructor(
    readonly reason: string,
    readonly seq: number | null,
  ) {}
}

export function formatAuditLine(entry: AuditEntry): string {
  return JSON.stringify(Object.fromEntries(AUDIT_ENTRY_FIELDS.map((field) => [field, entry[field]])));
}

export function parseAuditLine(line: string): AuditEntry | MalformedAuditLine {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return new MalformedAuditLine(line.trim() === '' ? 'blank line' : 'not JSON', null);
  }
  const problem = auditEntryShapeProblem(value);
  if (problem === undefined) return value as AuditEntry;
  const seq = (value as { seq?: unknown } | null)?.seq;
  return new MalformedAuditLine(problem, Number.isSafeInteger(seq) ? (seq as number) : null);
}

/** Every line of an export, parsed; a final newline does not make an extra blank line. */
export async function* readAuditLines(input: Readable): AsyncGenerator<AuditEntry | MalformedAuditLine> {
  for await (const line of createInterface({ input, crlfDelay: Infinity })) yield parseAuditLine(line);
}
