import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { forEachDialect } from '../../test/kit/test-databases.js';
import { KioskEnrollmentRecords } from '../kiosk/kiosk-enrollment-records.js';
import { normalisePrivacyCode, PRIVACY_CODE_ALPHABET, PrivacyCodes, randomPrivacyCode } from './privacy-codes.js';
import { migratePrivacy } from './privacy-migrations.js';

describe('privacy codes as typed', () => {
  it('are 16 symbols of 32 (80 bits) in four groups, with no 0/O or 1/I to confuse', () => {
    assert.equal(new Set(PRIVACY_CODE_ALPHABET).size, 32);
    for (const ambiguous of '01IO') assert.ok(!PRIVACY_CODE_ALPHABET.includes(ambiguous));
    const code = randomPrivacyCode();
    assert.match(code, /^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    assert.notEqual(randomPrivacyCode(), code);
  });

  it('ignore case, spaces and dashes; anything else is no code', () => {
    assert.equal(normalisePrivacyCode(' abcd-efgh jkLM-npqr '), 'ABCDEFGHJKLMNPQR');
    assert.equal(normalisePrivacyCode('ABCD-EFGH-JKLM-NPQ0'), undefined, 'zero is not in the alphabet');
    assert.equal(normalisePrivacyCode('ABCD-EFGH-JKLM'), undefined);
    assert.equal(normalisePrivacyCode('ABCD-EFGH-JKLM-NPQR-S'), undefined);
  });
});

forEachDialect('privacy codes and kiosk records', (database) => {
  let codes: PrivacyCodes;
  let records: KioskEnrollmentRecords;
  before(async () => {
    await migratePrivacy(database());
    await migratePrivacy(database());
    records = new KioskEnrollmentRecords(database());
    await records.migrate();
    codes = new PrivacyCodes(database(), randomBytes(32));
  });

  it('stores a code only as its keyed hash, finds its subject, and forgets it on erasure', async () => {
    const code = await codes.issue({ tenantId: 't1', subjectId: 's1' });
    const rows = await database().all<{ code_hash: string }>('SELECT code_hash FROM privacy_codes');
    assert.equal(rows.length, 1);
    assert.ok(!rows[0]!.code_hash.includes(code.replace(/-/g, '')));
    assert.deepEqual(await codes.owner(code.toLowerCase()), { tenantId: 't1', subjectId: 's1' });
    assert.equal(await codes.owner(randomPrivacyCode()), undefined);
    const reissued = await codes.issue({ tenantId: 't1', subjectId: 's1' });
    assert.equal(await codes.owner(code), undefined, 'a new code replaces the old one');
    assert.equal(await codes.eraseSubject('t1', 's1'), 1);
    assert.equal(await codes.owner(reissued), undefined);
  });

  it("the same code under another master key is no one's", async () => {
    const code = await codes.issue({ tenantId: 't2', subjectId: 's2' });
    assert.equal(await new PrivacyCodes(database(), randomBytes(32)).owner(code), undefined);
  });

  it('keeps which kiosk enrolled a subject, per tenant, until erasure', async () => {
    await records.record({ tenantId: 't1', subjectId: 's1', terminalId: 'k1', enrolledAt: '2026-12-01T10:00:00.000Z' });
    assert.equal((await records.of('t1', 's1'))?.terminalId, 'k1');
    assert.equal(await records.of('t2', 's1'), undefined);
    assert.equal(await records.eraseSubject('t1', 's1'), 1);
    assert.equal(await records.of('t1', 's1'), undefined);
  });
});
