/**
 * The scale path for pay by face: two nodes composed on one PostgreSQL schema (as two `facekey
 * serve` processes with DATABASE_URL would be) share the signing key, refuse a nonce the other
 * node already took, approve a checkout enrolled through the other node, and keep one audit chain.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { PostgresDatabase } from '../../src/store/sql/postgres-database.js';
import { listenGalleryChanges } from '../../src/store/postgres/gallery-change-listener.js';
import { composePlatform } from '../../src/server/compose-platform.js';
import { createEngine, DEFAULT_ENGINE_ID } from '../../src/engines/engine-registry.js';
import { createTemplate } from '../../src/templates/template.js';
import { encodeTemplate } from '../../src/templates/template-codec.js';
import { randomVector, seededRandom } from '../../src/runtime/seeded-random.js';
import { verifyAuditChain } from '../../src/audit/verify-chain.js';
import { noFaceService } from '../kit/no-face-service.js';
import { TEST_DATABASE_URL } from '../kit/test-databases.js';

test('pay by face on PostgreSQL: two nodes, one signing key, one nonce space, one audit chain', { timeout: 60_000 }, async () => {
  const schema = `facekey_test_${randomBytes(6).toString('hex')}`;
  const masterKey = randomBytes(32);
  const engine = createEngine(DEFAULT_ENGINE_ID);
  const nodes = [];
  for (let i = 0; i < 2; i++) {
    const store = await PostgresStore.open({ connectionString: TEST_DATABASE_URL, schema, masterKey, maxConnections: 4 });
    const sql = await PostgresDatabase.open({ connectionString: TEST_DATABASE_URL, schema, maxConnections: 4 });
    const platform = await composePlatform(
      { store, sql, faces: noFaceService, engine, masterKey },
      { issuer: 'http://facekey.test', retentionDays: 730 },
    );
    const watcher = await listenGalleryChanges(TEST_DATABASE_URL, schema, {
      onChange: (change) => void platform.galleries.applyChange(store, change),
      onResync: () => void platform.galleries.rebuild(store),
    });
    nodes.push({ store, sql, platform, watcher });
  }
  const [a, b] = nodes as [(typeof nodes)[0], (typeof nodes)[0]];
  try {
    assert.deepEqual(await a.platform.signingKeys.jwks(), await b.platform.signingKeys.jwks(), 'both nodes publish the same keys');

    const tenant = await a.store.createTenant({ name: 'pg shop' });
    const consent = await a.platform.consent.grant(tenant.id, 'test', {
      textVersion: 'eu-2026-11',
      purposes: ['payment'],
      jurisdiction: 'EU',
      deviceId: 'k',
    });
    const subject = await a.platform.consent.createSubject(tenant.id, 'test', { externalRef: 'p1', consentId: consent.id });
    const face = randomVector(engine.dimension, seededRandom(3));
    await a.platform.biometrics.enroll(tenant.id, subject.id, { template: encodeTemplate(createTemplate(engine, face)) });
    await a.platform.wallet.linkToken(tenant.id, 'test', subject.id, 'tok_pg_0123456789abcdef');
    await a.platform.wallet.setSecondFactor(tenant.id, subject.id, 'pin', '2468');

    // Node B learns of the enrollment through NOTIFY, then pays.
    const deadline = Date.now() + 2000;
    while (b.platform.biometrics.gallerySize(tenant.id) === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const result = await b.platform.checkout.checkout({
      tenantId: tenant.id,
      terminalId: 'till',
      nonce: 'n-1',
      amount: 500,
      currency: 'EUR',
      merchantRef: 'pg-1',
      probe: { template: encodeTemplate(createTemplate(engine, face)) },
      secondFactor: { kind: 'pin', value: '2468' },
    });
    assert.equal(result.outcome, 'approved', JSON.stringify(result.reasons));
    const { payload } = await jwtVerify(result.assertion!.jws, createLocalJWKSet(await a.platform.signingKeys.jwks()), {
      issuer: 'http://facekey.test',
    });
    assert.equal(payload.token_ref, 'tok_pg_0123456789abcdef');

    const expiresAt = new Date(Date.now() + 60_000);
    assert.equal(await a.platform.nonces.claim('till', 'nonce-x', expiresAt), true);
    assert.equal(await b.platform.nonces.claim('till', 'nonce-x', expiresAt), false, 'a nonce used on node A is a replay on node B');

    const verdict = await verifyAuditChain(b.platform.audit);
    assert.equal(verdict.ok, true, JSON.stringify(verdict));
    assert.ok(verdict.ok && verdict.count >= 5);
  } finally {
    for (const node of nodes) {
      await node.watcher.close();
      await node.sql.close();
      await node.store.close();
    }
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  }
});
