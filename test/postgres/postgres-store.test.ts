/**
 * Runs the store conformance suite against the machine's real PostgreSQL. It never skips: a
 * missing server is a failure with instructions, because a skipped suite looks green in CI.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { POSTGRES_MIGRATIONS } from '../../src/store/postgres/migrations.js';
import { runStoreConformance } from '../kit/contracts/store-contract.js';

const connectionString = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schemas: string[] = [];

function uniqueSchema(): string {
  const schema = `facekey_test_${randomBytes(6).toString('hex')}`;
  schemas.push(schema);
  return schema;
}

async function connectOrExplain(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `PostgreSQL is not reachable at ${connectionString.replace(/:[^:@/]*@/, ':***@')} (${String(error)}). ` +
        'Start it (CI: .ci/run starts the cluster) or point DATABASE_URL at a server; this suite does not skip.',
    );
  }
  return client;
}

// One admin connection: reads rows behind the adapter's back and drops the test schemas at the end.
let admin: pg.Client;
before(async () => {
  admin = await connectOrExplain();
});
after(async () => {
  if (!admin) return;
  for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await admin.end();
});

runStoreConformance('postgres', async () => {
  const schema = uniqueSchema();
  const store = await PostgresStore.open({ connectionString, schema, masterKey: randomBytes(32), maxConnections: 4 });
  return {
    store,
    cleanup: () => store.close(),
    rawTemplate: async (templateId) => {
      const { rows } = await admin.query<{ ciphertext: Buffer }>(`SELECT ciphertext FROM ${schema}.templates WHERE id = $1`, [templateId]);
      return rows[0]?.ciphertext;
    },
    rawImage: async (imageId) => {
      const { rows } = await admin.query<{ ciphertext: Buffer }>(`SELECT ciphertext FROM ${schema}.retained_images WHERE id = $1`, [
        imageId,
      ]);
      return rows[0]?.ciphertext;
    },
    hasDataKeyRow: async (subjectId) => {
      const { rowCount } = await admin.query(`SELECT 1 FROM ${schema}.subject_keys WHERE subject_id = $1`, [subjectId]);
      return (rowCount ?? 0) > 0;
    },
  };
});

describe('PostgresStore setup', () => {
  it('migrates concurrently without colliding, once, into its own schema', async () => {
    const schema = uniqueSchema();
    const options = { connectionString, schema, masterKey: randomBytes(32), maxConnections: 2 };
    const stores = await Promise.all([PostgresStore.open(options), PostgresStore.open(options), PostgresStore.open(options)]);
    try {
      await stores[0]!.migrate(); // and once more: a no-op
      const { rows } = await admin.query<{ version: number }>(
        `SELECT version FROM ${schema}.domain_migrations WHERE track = 'biometric' ORDER BY version`,
      );
      assert.deepEqual(
        rows.map((row) => row.version),
        POSTGRES_MIGRATIONS.map((migration) => migration.version),
      );
      const tables = await admin.query<{ table_name: string }>(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name`,
        [schema],
      );
      assert.deepEqual(
        tables.rows.map((row) => row.table_name),
        ['api_keys', 'domain_migrations', 'idempotency_records', 'retained_images', 'subject_keys', 'subjects', 'templates', 'tenants'],
      );
    } finally {
      await Promise.all(stores.map((store) => store.close()));
    }
  });

  it('refuses a schema name that would need quoting', async () => {
    await assert.rejects(PostgresStore.open({ connectionString, schema: 'x; DROP TABLE y', masterKey: randomBytes(32) }), {
      code: 'invalid_argument',
    });
  });
});

describe('PostgresStore upgrade from a release before the SQL port', () => {
  it('opens a database migrated to version 4 under schema_migrations: tenants, keys and idempotency records stay readable', async () => {
    const schema = uniqueSchema();
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.query(`SET search_path TO ${schema}`);
    try {
      await admin.query('CREATE TABLE schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
      for (const migration of POSTGRES_MIGRATIONS.filter((m) => m.version <= 4)) {
        await admin.query(migration.sql);
        await admin.query('INSERT INTO schema_migrations (version) VALUES ($1)', [migration.version]);
      }
      await admin.query("INSERT INTO tenants (id, name, created_at) VALUES ('t1', 'old', '2026-01-02T03:04:05.678Z')");
      await admin.query("INSERT INTO api_keys (key_id, tenant_id, scopes, secret_hash) VALUES ('k1', 't1', ARRAY['enroll', 'identify'], 'h')");
      await admin.query(
        `INSERT INTO idempotency_records (tenant_id, idempotency_key, request_hash, response, state, expires_at)
         VALUES ('t1', 'i1', 'rh', '{"ok": 1}'::jsonb, 'completed', now() + interval '1 hour')`,
      );
    } finally {
      await admin.query('SET search_path TO public');
    }
    const store = await PostgresStore.open({ connectionString, schema, masterKey: randomBytes(32), maxConnections: 2 });
    try {
      assert.deepEqual(await store.getTenant('t1'), { id: 't1', name: 'old', createdAt: '2026-01-02T03:04:05.678Z' });
      const key = await store.findApiKey('k1');
      assert.deepEqual(key?.scopes, ['enroll', 'identify']);
      assert.equal(key?.revokedAt, null);
      assert.ok(await store.revokeApiKey('k1'));
      assert.deepEqual(await store.getIdempotent('t1', 'i1'), { requestHash: 'rh', response: { ok: 1 } });
      const { rows } = await admin.query<{ version: number }>(
        `SELECT version FROM ${schema}.domain_migrations WHERE track = 'biometric' ORDER BY version`,
      );
      assert.deepEqual(
        rows.map((row) => row.version),
        POSTGRES_MIGRATIONS.map((migration) => migration.version),
      );
    } finally {
      await store.close();
    }
  });
});
