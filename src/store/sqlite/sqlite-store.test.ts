import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runStoreConformance } from '../../../test/kit/contracts/store-contract.js';
import { migrateSqliteVault, SQLITE_MIGRATIONS } from './migrations.js';
import { SqliteDatabase } from '../sql/sqlite-database.js';
import { SqliteStore } from './sqlite-store.js';
import { openForSubject, openImageForSubject } from '../subject-encryption.js';

const root = mkdtempSync(join(tmpdir(), 'facekey-sqlite-store-'));
after(() => rmSync(root, { recursive: true, force: true }));

runStoreConformance('sqlite', async () => {
  const path = join(root, 'conformance', 'nested', 'facekey.db');
  const store = await SqliteStore.open({ path, masterKey: randomBytes(32) });
  // A second connection sees committed rows (WAL) without going through the adapter.
  const raw = new Database(path, { readonly: true });
  return {
    store,
    cleanup: async () => {
      raw.close();
      await store.close();
    },
    rawTemplate: async (templateId) =>
      (raw.prepare('SELECT ciphertext FROM templates WHERE id = ?').get(templateId) as { ciphertext: Buffer } | undefined)?.ciphertext,
    rawImage: async (imageId) =>
      (raw.prepare('SELECT ciphertext FROM retained_images WHERE id = ?').get(imageId) as { ciphertext: Buffer } | undefined)?.ciphertext,
    hasDataKeyRow: async (subjectId) => raw.prepare('SELECT 1 FROM subject_keys WHERE subject_id = ?').get(subjectId) !== undefined,
    databaseFiles: () => [path, `${path}-wal`],
  };
});

describe('SqliteStore setup', () => {
  it('applies migrations once and records them; rerunning is a no-op', async () => {
    const path = join(root, 'migrations.db');
    await (await SqliteStore.open({ path, masterKey: randomBytes(32) })).close();
    const db = new Database(path);
    try {
      await migrateSqliteVault(new SqliteDatabase(db));
      const versions = db.prepare("SELECT version FROM domain_migrations WHERE track = 'biometric' ORDER BY version").all() as Array<{
        version: number;
      }>;
      assert.deepEqual(
        versions.map((row) => row.version),
        SQLITE_MIGRATIONS.map((migration) => migration.version),
      );
    } finally {
      db.close();
    }
  });

  it('upgrades a version-1 database: stored idempotency records stay replayable and expire 24 h after creation', async () => {
    const path = join(root, 'upgrade.db');
    const db = new Database(path);
    try {
      db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
      db.exec(SQLITE_MIGRATIONS[0]!.sql);
      db.prepare('INSERT INTO schema_migrations VALUES (1, ?)').run(new Date().toISOString());
      const created = new Date(Date.now() - 60_000).toISOString();
      db.prepare("INSERT INTO tenants VALUES ('t1', 'old', ?)").run(created);
      db.prepare("INSERT INTO idempotency_records VALUES ('t1', 'k1', 'h1', '{\"ok\":1}', ?)").run(created);
      await migrateSqliteVault(new SqliteDatabase(db));
      const row = db.prepare("SELECT state, expires_at FROM idempotency_records WHERE idempotency_key = 'k1'").get() as {
        state: string;
        expires_at: string;
      };
      assert.equal(row.state, 'completed');
      assert.equal(row.expires_at, new Date(Date.parse(created) + 24 * 3600_000).toISOString());
    } finally {
      db.close();
    }
    const store = await SqliteStore.open({ path, masterKey: randomBytes(32) });
    try {
      assert.deepEqual(await store.getIdempotent('t1', 'k1'), { requestHash: 'h1', response: { ok: 1 } });
    } finally {
      await store.close();
    }
  });

  it('opens in WAL mode with full sync, foreign keys and a busy timeout', async () => {
    const path = join(root, 'pragmas.db');
    const store = await SqliteStore.open({ path, masterKey: randomBytes(32), busyTimeoutMs: 1234 });
    try {
      const db = (store as unknown as { db: Database.Database }).db;
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
      assert.equal(db.pragma('synchronous', { simple: true }), 2); // FULL
      assert.equal(db.pragma('foreign_keys', { simple: true }), 1);
      assert.equal(db.pragma('busy_timeout', { simple: true }), 1234);
    } finally {
      await store.close();
    }
  });

  it('cannot read templates with a different master key', async () => {
    const path = join(root, 'rekey.db');
    const store = await SqliteStore.open({ path, masterKey: randomBytes(32) });
    const tenant = await store.createTenant({ name: 't' });
    const subject = await store.createSubject({ tenantId: tenant.id, externalRef: 'r', consentId: 'c' });
    await store.addTemplate({
      tenantId: tenant.id,
      subjectId: subject.id,
      engineId: 'e',
      engineVersion: '1',
      template: randomBytes(8),
      maxPerSubject: 1,
    });
    await store.close();
    const wrongKey = await SqliteStore.open({ path, masterKey: randomBytes(32) });
    try {
      await assert.rejects(wrongKey.listTemplates(tenant.id, subject.id), { code: 'ciphertext_rejected' });
    } finally {
      await wrongKey.close();
    }
  });

  it('seals a retained image under its subject key, bound to its row and template, and never as a template', async () => {
    const path = join(root, 'image-seal.db');
    const masterKey = randomBytes(32);
    const store = await SqliteStore.open({ path, masterKey });
    try {
      const tenantId = (await store.createTenant({ name: 't' })).id;
      const subjectId = (await store.createSubject({ tenantId, externalRef: 'r', consentId: 'c' })).id;
      const template = { tenantId, subjectId, engineId: 'e', engineVersion: '1', maxPerSubject: 2 };
      const { templateId } = await store.addTemplate({ ...template, template: randomBytes(8) });
      const { templateId: otherTemplateId } = await store.addTemplate({ ...template, template: randomBytes(8) });
      const image = randomBytes(256);
      const { imageId } = await store.retainImage({
        tenantId,
        subjectId,
        templateId,
        image,
        expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
      });

      const db = store.connection;
      const { ciphertext } = db.prepare('SELECT ciphertext FROM retained_images WHERE id = ?').get(imageId) as { ciphertext: Buffer };
      const { wrapped_key: wrappedKey } = db.prepare('SELECT wrapped_key FROM subject_keys WHERE subject_id = ?').get(subjectId) as {
        wrapped_key: Buffer;
      };
      const row = { tenantId, subjectId, templateId, imageId };
      assert.deepEqual(Buffer.from(openImageForSubject(masterKey, wrappedKey, row, ciphertext)), image);
      assert.throws(() => openImageForSubject(masterKey, wrappedKey, { ...row, templateId: otherTemplateId }, ciphertext), {
        code: 'ciphertext_rejected',
      });
      assert.throws(() => openForSubject(masterKey, wrappedKey, { tenantId, subjectId, templateId: imageId }, ciphertext), {
        code: 'ciphertext_rejected',
      });
    } finally {
      await store.close();
    }
  });
});
