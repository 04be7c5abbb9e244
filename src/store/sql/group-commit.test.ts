import assert from 'node:assert/strict';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { SqliteDatabase } from './sqlite-database.js';
import { GroupCommittingDatabase } from './group-commit.js';

function openDatabase(): { base: SqliteDatabase; db: GroupCommittingDatabase } {
  const base = new SqliteDatabase(new Database(':memory:'), true);
  return { base, db: new GroupCommittingDatabase(base) };
}

test('writes that arrive during a commit share the next one, and each settles once committed', async () => {
  const { base, db } = openDatabase();
  await db.run('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)');
  const writes = Array.from({ length: 50 }, (_, i) => db.run('INSERT INTO t (id, v) VALUES (?, ?)', [i, `v${i}`]));
  assert.deepEqual(await Promise.all(writes), Array(50).fill(1));
  const { commits, writes: written } = db.stats();
  assert.equal(written, 51);
  assert.ok(commits <= 3, `50 concurrent writes took ${commits} commits`);
  assert.equal((await base.get<{ n: number }>('SELECT COUNT(*) AS n FROM t'))?.n, 50);
  await db.close();
});

test('a failing write is rolled back alone; the writes around it commit', async () => {
  const { db } = openDatabase();
  await db.run('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)');
  const results = await Promise.allSettled([
    db.run('INSERT INTO t (id, v) VALUES (1, ?)', ['a']),
    db.transaction(async (tx) => {
      await tx.run('INSERT INTO t (id, v) VALUES (2, ?)', ['b']);
      await tx.run('INSERT INTO t (id, v) VALUES (1, ?)', ['duplicate']);
    }),
    db.run('INSERT INTO t (id, v) VALUES (3, ?)', ['c']),
  ]);
  assert.deepEqual(
    results.map((r) => r.status),
    ['fulfilled', 'rejected', 'fulfilled'],
  );
  assert.deepEqual(
    (await db.all<{ id: number }>('SELECT id FROM t ORDER BY id')).map((r) => r.id),
    [1, 3],
  );
  await db.close();
});
