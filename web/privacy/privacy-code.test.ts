import assert from 'node:assert/strict';
import { it } from 'node:test';
import { normalizeCode } from './privacy-code';

it('accepts a privacy code typed in any case, with spaces or without dashes', () => {
  assert.equal(normalizeCode('abcd efgh-jklm npqr'), 'ABCD-EFGH-JKLM-NPQR');
  assert.equal(normalizeCode('ABCDEFGHJKLMNPQR'), 'ABCD-EFGH-JKLM-NPQR');
});
