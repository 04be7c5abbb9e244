import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { forEachDialect } from '../../../test/kit/test-databases.js';
import { isUniqueViolation } from './sql-database.js';
import { migrateTrack } from './sql-migrations.js';
import { toPostgresPlaceholders } from './postgres-database.js';

it('rewrites ? placeholders to numbered ones for PostgreSQL', () => {
  assert.equal(toPostgresPlaceholders('SELECT a FROM t WHERE b = ? AND c IN (?, ?)'), 'SELECT a FROM t WHERE b = $1 AND c IN ($2, $3)');
});

forEachDialect('SqlDatabase', (database) => {
  const migrations = [
    { version: 1, sql: 'CREATE TABLE things (id TEXT PRIMARY KEY, n BIGINT NOT NULL);\nCREATE INDEX things_n ON things (n);' },
    { version: 2, sql: 'ALTER TABLE things ADD COLUMN label TEXT' },
  ];

  before(async () => {
    await migrateTrack(database(), 'test', migrations);
  });

  it('applies each migration once, even when asked again', async () => {
    await migrateTrack(database(), 'test', migrations);
    const rows = await database().all<{ version: number }>("SELECT version FROM domain_migrations WHERE track = 'test' ORDER BY version");
    assert.deepEqual(
      rows.map((r) => Number(r.version)),
      [1, 2],
    );
  });

  it('returns BIGINT columns as numbers and reports rows changed', async () => {
    assert.equal(await database().run('INSERT INTO things (id, n, label) VALUES (?, ?, ?)', ['a', 2 ** 40, 'x']), 1);
    const row = await database().get<{ n: number; label: string }>('SELECT n, label FROM things WHERE id = ?', ['a']);
    assert.deepEqual(row, { n: 2 ** 40, label: 'x' });
    assert.equal(await database().get('SELECT n FROM things WHERE id = ?', ['missing']), undefined);
  });

  it('recognizes a unique violation in its dialect', async () => {
    await database().run('INSERT INTO things (id, n) VALUES (?, ?)', ['dup', 1]);
    const error = await database()
      .run('INSERT INTO things (id, n) VALUES (?, ?)', ['dup', 2])
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    assert.ok(isUniqueViolation(error), `expected a unique violation, got ${String(error)}`);
  });

  it('rolls a failed transaction back entirely', async () => {
    await assert.rejects(
      database().transaction(async (tx) => {
        await tx.run('INSERT INTO things (id, n) VALUES (?, ?)', ['rolled-back', 1]);
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.equal(await database().get('SELECT id FROM things WHERE id = ?', ['rolled-back']), undefined);
  });

  it('serializes concurrent read-modify-write transactions', async () => {
    await database().run('INSERT INTO things (id, n) VALUES (?, ?)', ['counter', 0]);
    await Promise.all(
      Array.from({ length: 20 }, () =>
        database().transaction(async (tx) => {
          // The UPDATE takes the row lock first, as the audit chain does, so no increment is lost.
          await tx.run('UPDATE things SET label = ? WHERE id = ?', ['locked', 'counter']);
          const row = await tx.get<{ n: number }>('SELECT n FROM things WHERE id = ?', ['counter']);
          await tx.run('UPDATE things SET n = ? WHERE id = ?', [Number(row!.n) + 1, 'counter']);
        }),
      ),
    );
    const row = await database().get<{ n: number }>('SELECT n FROM things WHERE id = ?', ['counter']);
    assert.equal(Number(row!.n), 20);
  });
});
