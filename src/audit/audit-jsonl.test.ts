import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { it } from 'node:test';
import type { AuditEntry } from './audit-entry.js';
import { formatAuditLine, MalformedAuditLine, parseAuditLine, readAuditLines } from './audit-jsonl.js';
import { auditEntryHash, GENESIS_HASH } from './entry-hash.js';

const fields = {
  seq: 1,
  at: '2025-06-11T10:00:00.000Z',
  type: 'consent.granted' as const,
  tenantId: 't1',
  actor: 'key:k1',
  data: { consentId: 'c1', purposes: ['payment'] },
  prevHash: GENESIS_HASH,
};
const entry: AuditEntry = { ...fields, hash: auditEntryHash(fields) };

it('writes one JSON object per line, fields in the documented order, and reads it back', () => {
  const line = formatAuditLine({ hash: entry.hash, ...fields });
  assert.ok(!line.includes('\n'));
  assert.deepEqual(Object.keys(JSON.parse(line) as object), ['seq', 'at', 'type', 'tenantId', 'actor', 'data', 'prevHash', 'hash']);
  assert.deepEqual(parseAuditLine(line), entry);
});

it('turns unparsable and misshapen lines into MalformedAuditLine, keeping a readable seq', () => {
  assert.deepEqual(parseAuditLine('{"seq": 1,'), new MalformedAuditLine('not JSON', null));
  assert.deepEqual(parseAuditLine(''), new MalformedAuditLine('blank line', null));
  assert.deepEqual(parseAuditLine(JSON.stringify({ ...entry, seq: 4, extra: 1 })), new MalformedAuditLine('unexpected field "extra"', 4));
  assert.deepEqual(
    parseAuditLine(JSON.stringify({ ...entry, tenantId: 3 })),
    new MalformedAuditLine('tenantId is neither a string nor null', 1),
  );
});

it('reads an export line by line; the final newline adds no line, a blank one inside counts', async () => {
  const text = `${formatAuditLine(entry)}\n\n${formatAuditLine(entry)}\n`;
  const items = [];
  for await (const item of readAuditLines(Readable.from([text]))) items.push(item);
  assert.equal(items.length, 3);
  assert.deepEqual(items[0], entry);
  assert.ok(items[1] instanceof MalformedAuditLine);
  assert.deepEqual(items[2], entry);
});
