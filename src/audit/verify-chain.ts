import { auditEntryShapeProblem, type AuditEntry, type AuditHead } from './audit-entry.js';
import { MalformedAuditLine } from './audit-jsonl.js';
import { auditEntryHash, GENESIS_HASH } from './entry-hash.js';

export type AuditChainProblem = 'altered' | 'removed' | 'reordered' | 'truncated' | 'malformed';

export type AuditChainResult =
  | { readonly ok: true; readonly count: number; readonly head: AuditHead }
  | {
      readonly ok: false;
      /** Entries before the first bad one, all intact. */
      readonly count: number;
      /** `position` is 1-based in the input (an export's line number); `seq` is null when unreadable. */
      readonly firstBad: { readonly seq: number | null; readonly position: number };
      readonly problem: AuditChainProblem;
      readonly message: string;
    };

export interface VerifyAuditChainOptions {
  /**
   * The head recorded independently (when exporting, or published): catches entries cut off the
   * end, and the last entry rewritten, which the chain alone cannot show.
   */
  readonly expectedHead?: AuditHead;
}

interface Gap {
  readonly from: number;
  readonly to: number;
  readonly position: number;
  /** The entry found where `from` belongs. */
  readonly seq: number;
}

/**
 * Checks an audit log, in order, against its own hashes: pure, so it runs as well on an export
 * offline as on the database. Stops at the first bad entry, except after a gap in seq, where it
 * reads on to tell a removed entry from one that was moved further down.
 */
export async function verifyAuditChain(
  entries: Iterable<AuditEntry | MalformedAuditLine> | AsyncIterable<AuditEntry | MalformedAuditLine>,
  { expectedHead }: VerifyAuditChainOptions = {},
): Promise<AuditChainResult> {
  let position = 0;
  let previous: AuditEntry | undefined;
  let gap: Gap | undefined;
  const broken = (problem: AuditChainProblem, seq: number | null, at: number, message: string): AuditChainResult => ({
    ok: false,
    count: at - 1,
    firstBad: { seq, position: at },
    problem,
    message,
  });

  for await (const item of entries) {
    position++;
    if (gap) {
      const seq = seqOf(item);
      if (seq !== null && seq >= gap.from && seq <= gap.to) {
        return broken('reordered', gap.seq, gap.position, `#${gap.seq} comes before #${seq}, which appears later (position ${position})`);
      }
      continue;
    }

    if (item instanceof MalformedAuditLine) return broken('malformed', item.seq, position, item.reason);
    const shapeProblem = auditEntryShapeProblem(item);
    if (shapeProblem !== undefined) return broken('malformed', seqOf(item), position, shapeProblem);
    const entry = item;

    const expectedSeq = (previous?.seq ?? 0) + 1;
    if (entry.seq < expectedSeq) {
      const what = entry.seq === previous?.seq ? `#${entry.seq} appears twice` : `#${entry.seq} follows #${previous?.seq}`;
      return broken('reordered', entry.seq, position, `${what}: seq must increase by one`);
    }
    if (entry.seq > expectedSeq) {
      gap = { from: expectedSeq, to: entry.seq - 1, position, seq: entry.seq };
      continue;
    }

    let hash: string;
    try {
      hash = auditEntryHash(entry);
    } catch (error) {
      return broken('malformed', entry.seq, position, `cannot be canonicalized: ${(error as Error).message}`);
    }
    if (hash !== entry.hash)
      return broken('altered', entry.seq, position, `#${entry.seq} does not match its hash: its content was changed`);
    if (entry.prevHash !== (previous?.hash ?? GENESIS_HASH)) {
      const message = previous
        ? `#${entry.seq}'s prevHash is not the hash of #${previous.seq}: #${previous.seq} or #${entry.seq} was rewritten`
        : `#${entry.seq}'s prevHash is not the genesis hash (64 zeros): it was rewritten`;
      return broken('altered', entry.seq, position, message);
    }
    if (expectedHead && entry.seq === expectedHead.seq && entry.hash !== expectedHead.hash) {
      return broken('altered', entry.seq, position, `#${entry.seq}'s hash is not the expected head's: it was rewritten`);
    }
    previous = entry;
  }

  if (gap) {
    const missing = gap.from === gap.to ? `#${gap.from} is missing` : `#${gap.from}–#${gap.to} are missing`;
    const context = gap.from === 1 ? `the log starts at #${gap.seq}` : `#${gap.seq} follows #${gap.from - 1}`;
    return broken('removed', gap.from, gap.position, `${missing}: ${context}`);
  }
  const last = previous?.seq ?? 0;
  if (expectedHead && last < expectedHead.seq) {
    return broken('truncated', last + 1, position + 1, `the log ends at #${last} but the expected head is #${expectedHead.seq}`);
  }
  return { ok: true, count: position, head: previous ? { seq: previous.seq, hash: previous.hash } : { seq: 0, hash: GENESIS_HASH } };
}

function seqOf(item: unknown): number | null {
  if (item instanceof MalformedAuditLine) return item.seq;
  const seq = (item as { seq?: unknown } | null)?.seq;
  return Number.isSafeInteger(seq) ? (seq as number) : null;
}
