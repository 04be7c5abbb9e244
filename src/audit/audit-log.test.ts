import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { forEachDialect, openPostgresTestDatabase, POSTGRES_SKIP, TEST_DATABASE_URL, type TestDatabase } from '../../test/kit/test-databases.js';
import { PostgresDatabase } from '../store/sql/postgres-database.js';
import { AuditDataRefused } from './audit-errors.js';
import { AuditLog } from './audit-log.js';
import type { AuditEventType } from './audit-event-type.js';
import { GENESIS_HASH } from './entry-hash.js';
import { verifyAuditChain } from './verify-chain.js';

forEachDialect('AuditLog', (database) => {
  let log: AuditLog;
  const at = new Date('2025-06-11T10:00:00.000Z');

  before(async () => {
    log = new AuditLog(database(), () => at);
    await log.migrate();
    await log.migrate(); // a second service start must not add a second head row
  });

  it('starts empty at the genesis head', async () => {
    assert.deepEqual(await log.head(), { seq: 0, hash: GENESIS_HASH });
    assert.deepEqual(await log.entries(), []);
  });

  it('chains sequential appends and reads them back exactly as returned', async () => {
    const first = await log.append({
      type: 'enrollment',
      tenantId: 't1',
      actor: 'key:k1',
      data: { subjectId: 's1', templateId: 'tpl1', quality: 0.91, skipped: undefined },
    });
    const second = await log.append({ type: 'retention.erased', tenantId: null, actor: 'system:retention', data: { templatesErased: 2 } });
    assert.equal(first.seq, 1);
    assert.equal(first.prevHash, GENESIS_HASH);
    assert.equal(first.at, at.toISOString());
    assert.deepEqual(first.data, { subjectId: 's1', templateId: 'tpl1', quality: 0.91 }, 'undefined members are not stored');
    assert.equal(second.seq, 2);
    assert.equal(second.prevHash, first.hash);
    assert.deepEqual(await log.entries(), [first, second]);
    assert.deepEqual(await log.entries({ afterSeq: 1, limit: 5 }), [second]);
    assert.deepEqual(await log.head(), { seq: 2, hash: second.hash });
  });

  it('gives 30 concurrent appends seqs 1..30 on top of the log, in one unbroken chain', async () => {
    const before = (await log.head()).seq;
    const appended = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        log.append({ type: 'verification', tenantId: 't1', actor: 'key:k1', data: { n: i, score: 0.7 } }),
      ),
    );
    assert.deepEqual(
      appended.map((e) => e.seq - before).sort((a, b) => a - b),
      Array.from({ length: 30 }, (_, i) => i + 1),
    );
    const result = await verifyAuditChain(log);
    assert.equal(result.ok, true, JSON.stringify(result));
    assert.equal(result.count, before + 30);
    assert.deepEqual(result.ok && result.head, await log.head());
  });

  it('commits appends that arrive together in one transaction (group commit)', async () => {
    let commits = 0;
    // The clock is read once per commit, so counting its calls counts commits.
    const counting = new AuditLog(database(), () => {
      commits++;
      return at;
    });
    const entries = await Promise.all(
      Array.from({ length: 25 }, (_, i) => counting.append({ type: 'verification', tenantId: 't9', actor: 'key:k', data: { n: i } })),
    );
    assert.equal(new Set(entries.map((e) => e.seq)).size, 25);
    assert.equal(commits, 1, `25 appends of one event-loop turn took ${commits} commits`);
    assert.equal((await verifyAuditChain(log)).ok, true);
  });

  it('pages through every entry in order, and stops at a given seq', async () => {
    const head = await log.head();
    const all = [];
    for await (const entry of log.iterate({ pageSize: 7 })) all.push(entry.seq);
    assert.deepEqual(
      all,
      Array.from({ length: head.seq }, (_, i) => i + 1),
    );
    const prefix = [];
    for await (const entry of log.iterate({ afterSeq: 3, throughSeq: 10, pageSize: 4 })) prefix.push(entry.seq);
    assert.deepEqual(prefix, [4, 5, 6, 7, 8, 9, 10]);
  });

  it('refuses a template-like field, a long base64 string and a card number, appending nothing', async () => {
    const head = await log.head();
    const blob = Buffer.alloc(512, 7).toString('base64');
    for (const data of [{ faceTemplate: 'AQID' }, { note: blob }, { merchantRef: '4242 4242 4242 4242' }]) {
      await assert.rejects(log.append({ type: 'checkout', tenantId: 't1', actor: 'terminal:T1', data }), AuditDataRefused);
    }
    await assert.rejects(
      log.append({ type: 'not.a.type' as AuditEventType, tenantId: 't1', actor: 'key:k1', data: {} }),
      (error: unknown) => error instanceof AuditDataRefused && /unknown audit event type/.test(error.message),
    );
    assert.deepEqual(await log.head(), head);
  });

  it('accepts checkout evidence: scores, ids, amounts', async () => {
    const entry = await log.append({
      type: 'checkout',
      tenantId: 't1',
      actor: 'terminal:T1',
      data: { outcome: 'approved', subjectId: 's1', amount: 1999, currency: 'EUR', score: 0.83, threshold: 0.6, assertionId: 'a-1' },
    });
    assert.equal(entry.data.amount, 1999);
  });
});

// Processes share PostgreSQL; the embedded SQLite file belongs to one process (see SqliteDatabase).
describe('AuditLog across processes (postgres)', { skip: POSTGRES_SKIP }, () => {
  let opened: TestDatabase;
  before(async () => {
    opened = await openPostgresTestDatabase();
  });
  after(async () => {
    await opened.close();
  });

  it('keeps one unbroken chain when separate pools append at once', async () => {
    const { schema } = (await opened.db.get<{ schema: string }>('SELECT current_schema() AS schema'))!;
    const others = await Promise.all(
      [1, 2, 3].map(() => PostgresDatabase.open({ connectionString: TEST_DATABASE_URL, schema, maxConnections: 3 })),
    );
    try {
      const logs = [opened.db, ...others].map((db) => new AuditLog(db));
      await logs[0]!.migrate();
      await Promise.all(
        logs.flatMap((writer, w) =>
          Array.from({ length: 10 }, (_, i) => writer.append({ type: 'identification', tenantId: 't2', actor: `key:w${w}`, data: { i } })),
        ),
      );
      const result = await verifyAuditChain(logs[0]!);
      assert.equal(result.ok, true, JSON.stringify(result));
      assert.equal(result.ok && result.head.seq, 40);
    } finally {
      await Promise.all(others.map((db) => db.close()));
    }
  });
});
