import assert from 'node:assert/strict';
import { test } from 'node:test';
import { camelCase, camelRow } from './camel-row.js';

test('renames the named snake_case columns to camelCase fields and leaves values alone', () => {
  assert.equal(camelCase('tenant_id'), 'tenantId');
  assert.equal(camelCase('text_sha256'), 'textSha256');
  assert.equal(camelCase('id'), 'id');
  const row = { id: 'c1', tenant_id: 't1', last_active_at: null, max_uses: '3', wrapped_key: 'secret' };
  const record: { id: string; tenantId: string; lastActiveAt: null; maxUses: string } = camelRow(row, [
    'id',
    'tenant_id',
    'last_active_at',
    'max_uses',
  ]);
  assert.deepEqual(record, { id: 'c1', tenantId: 't1', lastActiveAt: null, maxUses: '3' }, 'a column not named stays behind');
});
