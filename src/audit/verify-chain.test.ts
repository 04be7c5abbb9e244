import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AuditEntry } from './audit-entry.js';
import { MalformedAuditLine } from './audit-jsonl.js';
import { auditEntryHash, GENESIS_HASH } from './entry-hash.js';
import { verifyAuditChain, type AuditChainResult } from './verify-chain.js';

/** A valid chain of `n` entries, built with the same hash the log uses. */
function chainOf(n: number): AuditEntry[] {
  const entries: AuditEntry[] = [];
  for (let seq = 1; seq <= n; seq++) {
    const fields = {
      seq,
      at: new Date(Date.UTC(2025, 0, 1, 0, 0, seq)).toISOString(),
      type: 'verification' as const,
      tenantId: 'tenant-a',
      actor: 'key:k1',
      data: { subjectId: `s${seq}`, score: 0.5 + seq / 100, threshold: 0.6 },
      prevHash: entries[seq - 2]?.hash ?? GENESIS_HASH,
    };
    entries.push({ ...fields, hash: auditEntryHash(fields) });
  }
  return entries;
}

/** Rewrites an entry and recomputes its own hash, as a careful forger would. */
function forge(entry: AuditEntry, change: Partial<AuditEntry>): AuditEntry {
  const { hash: _hash, ...fields } = { ...entry, ...change };
  return { ...fields, hash: auditEntryHash(fields) };
}

function assertBroken(result: AuditChainResult, problem: string, seq: number | null, position: number): string {
  assert.equal(result.ok, false, 'expected a broken chain');
  if (result.ok) throw new Error('unreachable');
  assert.equal(result.problem, problem, result.message);
  assert.deepEqual(result.firstBad, { seq, position });
  assert.equal(result.count, position - 1);
  return result.message;
}

describe('verifyAuditChain', () => {
  it('accepts an intact chain and reports its head', async () => {
    const entries = chainOf(5);
    assert.deepEqual(await verifyAuditChain(entries), { ok: true, count: 5, head: { seq: 5, hash: entries[4]!.hash } });
  });

  it('accepts an empty log, whose head is the genesis hash', async () => {
    assert.deepEqual(await verifyAuditChain([]), { ok: true, count: 0, head: { seq: 0, hash: GENESIS_HASH } });
  });

  it('reads an async iterable as it reads an array', async () => {
    const entries = chainOf(3);
    async function* stream(): AsyncGenerator<AuditEntry> {
      yield* entries;
    }
    const result = await verifyAuditChain(stream());
    assert.equal(result.ok, true);
    assert.equal(result.count, 3);
  });

  it('names an entry whose content no longer matches its hash as altered', async () => {
    const entries = chainOf(5);
    entries[2] = { ...entries[2]!, data: { ...entries[2]!.data, score: 0.99 } };
    const message = assertBroken(await verifyAuditChain(entries), 'altered', 3, 3);
    assert.match(message, /#3 does not match its hash/);
  });

  it('names the entry after one rewritten with a recomputed hash, where the link breaks', async () => {
    const entries = chainOf(5);
    entries[2] = forge(entries[2]!, { actor: 'key:someone-else' });
    const message = assertBroken(await verifyAuditChain(entries), 'altered', 4, 4);
    assert.match(message, /prevHash is not the hash of #3/);
  });

  it('refuses a first entry that does not start from the genesis hash', async () => {
    const entries = chainOf(2);
    entries[0] = forge(entries[0]!, { prevHash: 'a'.repeat(64) });
    assertBroken(await verifyAuditChain(entries), 'altered', 1, 1);
  });

  it('names a removed entry by its seq, at the position where it belongs', async () => {
    const entries = chainOf(5);
    entries.splice(2, 1);
    const message = assertBroken(await verifyAuditChain(entries), 'removed', 3, 3);
    assert.equal(message, '#3 is missing: #4 follows #2');
  });

  it('reports a run of removed entries, and removal from the start', async () => {
    const middle = chainOf(6);
    middle.splice(2, 2);
    assert.match(assertBroken(await verifyAuditChain(middle), 'removed', 3, 3), /#3–#4 are missing/);
    const start = chainOf(3).slice(1);
    assert.match(assertBroken(await verifyAuditChain(start), 'removed', 1, 1), /the log starts at #2/);
  });

  it('tells two swapped entries from a removal, naming the first one out of place', async () => {
    const entries = chainOf(5);
    [entries[1], entries[2]] = [entries[2]!, entries[1]!];
    const message = assertBroken(await verifyAuditChain(entries), 'reordered', 3, 2);
    assert.match(message, /#3 comes before #2/);
  });

  it('recognizes an entry moved several places down as reordered', async () => {
    const entries = chainOf(6);
    const [moved] = entries.splice(1, 1);
    entries.splice(3, 0, moved!);
    assertBroken(await verifyAuditChain(entries), 'reordered', 3, 2);
  });

  it('reports a repeated or backwards seq as reordered', async () => {
    const duplicated = chainOf(3);
    duplicated.splice(2, 0, duplicated[1]!);
    assert.match(assertBroken(await verifyAuditChain(duplicated), 'reordered', 2, 3), /#2 appears twice/);
  });

  it('reports a log that ends before the expected head as truncated', async () => {
    const entries = chainOf(5);
    const expectedHead = { seq: 5, hash: entries[4]!.hash };
    const message = assertBroken(await verifyAuditChain(entries.slice(0, 3), { expectedHead }), 'truncated', 4, 4);
    assert.match(message, /ends at #3 but the expected head is #5/);
    assert.equal((await verifyAuditChain(entries, { expectedHead })).ok, true);
  });

  it('catches a rewritten last entry against the expected head', async () => {
    const entries = chainOf(3);
    const expectedHead = { seq: 3, hash: entries[2]!.hash };
    entries[2] = forge(entries[2]!, { data: { score: 1 } });
    assert.equal((await verifyAuditChain(entries)).ok, true, 'the chain alone cannot see this');
    assertBroken(await verifyAuditChain(entries, { expectedHead }), 'altered', 3, 3);
  });

  it('reports an unparsable line as malformed, keeping its seq when it has one', async () => {
    const entries: (AuditEntry | MalformedAuditLine)[] = chainOf(3);
    entries[1] = new MalformedAuditLine('not JSON', null);
    assert.equal(assertBroken(await verifyAuditChain(entries), 'malformed', null, 2), 'not JSON');

    const { hash: _hash, ...withoutHash } = chainOf(3)[1]!;
    const shapeless = [chainOf(1)[0]!, withoutHash as unknown as AuditEntry];
    assert.match(assertBroken(await verifyAuditChain(shapeless), 'malformed', 2, 2), /hash is not 64 lowercase hex digits/);
  });

  it('reports content that has no canonical JSON form as malformed rather than crashing', async () => {
    const entries = chainOf(1);
    entries[0] = { ...entries[0]!, data: { note: '\ud800' } };
    assert.match(assertBroken(await verifyAuditChain(entries), 'malformed', 1, 1), /cannot be canonicalized/);
  });
});
