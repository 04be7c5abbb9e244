import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { it } from 'node:test';
import { SqliteStore } from '../sqlite/sqlite-store.js';
import { SqliteDatabase } from './sqlite-database.js';

it("a write on the shared connection never lands inside another request's open transaction", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'facekey-sqlite-queue-'));
  const store = await SqliteStore.open({ path: path.join(dir, 'f.sqlite'), masterKey: randomBytes(32) });
  const db = new SqliteDatabase(store.connection);
  try {
    await db.run('CREATE TABLE scratch (id TEXT PRIMARY KEY)');
    let tenantCreated: Promise<unknown> | undefined;
    let insertedOutside: Promise<number> | undefined;
    await assert.rejects(
      db.transaction(async (tx) => {
        await tx.run('INSERT INTO scratch (id) VALUES (?)', ['inside']);
        // Other requests write while this transaction is open, and it then fails and rolls back.
        tenantCreated = store.createTenant({ name: 'acknowledged meanwhile' });
        insertedOutside = db.run('INSERT INTO scratch (id) VALUES (?)', ['outside']);
        await new Promise((resolve) => setTimeout(resolve, 20));
        throw new Error('rolled back');
      }),
      /rolled back/,
    );
    const tenant = (await tenantCreated) as { id: string };
    assert.equal(await insertedOutside, 1);
    assert.ok(await store.getTenant(tenant.id), 'the tenant created during the transaction survived its rollback');
    assert.deepEqual(await db.all('SELECT id FROM scratch ORDER BY id'), [{ id: 'outside' }]);
  } finally {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
