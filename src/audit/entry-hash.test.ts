import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { it } from 'node:test';
import { auditEntryHash, GENESIS_HASH } from './entry-hash.js';

const fields = {
  seq: 1,
  at: '2025-01-01T00:00:00.000Z',
  type: 'enrollment' as const,
  tenantId: null,
  actor: 'key:k1',
  data: { subjectId: 's1', score: 0.1, nested: { b: [true, null], a: 1e21 } },
  prevHash: GENESIS_HASH,
};

it('hashes the RFC 8785 form an auditor can rebuild by hand: sorted keys, ES number formatting', () => {
  const canonical =
    '{"actor":"key:k1","at":"2025-01-01T00:00:00.000Z","data":{"nested":{"a":1e+21,"b":[true,null]},"score":0.1,"subjectId":"s1"},' +
    `"prevHash":"${'0'.repeat(64)}","seq":1,"tenantId":null,"type":"enrollment"}`;
  assert.equal(auditEntryHash(fields), createHash('sha256').update(canonical).digest('hex'));
});

it('does not depend on the order the fields or data keys were written in', () => {
  const reordered = {
    prevHash: fields.prevHash,
    data: { nested: { a: 1e21, b: [true, null] }, score: 0.1, subjectId: 's1' },
    actor: fields.actor,
    type: fields.type,
    tenantId: null,
    at: fields.at,
    seq: 1,
  };
  assert.equal(auditEntryHash(reordered), auditEntryHash(fields));
});

it('ignores an existing hash field, so an entry can be re-hashed as stored', () => {
  assert.equal(auditEntryHash({ ...fields, hash: 'f'.repeat(64) } as typeof fields), auditEntryHash(fields));
});
