import test from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { listenGalleryChanges } from '../../src/store/postgres/gallery-change-listener.js';
import { GalleryRegistry } from '../../src/biometrics/gallery-registry.js';
import { BiometricService } from '../../src/biometrics/biometric-service.js';
import { ExactIndex } from '../../src/matcher/index/exact-index.js';
import { Calibration } from '../../src/matcher/calibration/calibration-table.js';
import { createEngine, DEFAULT_ENGINE_ID } from '../../src/engines/engine-registry.js';
import { createTemplate } from '../../src/templates/template.js';
import { encodeTemplate } from '../../src/templates/template-codec.js';
import { randomVector, seededRandom } from '../../src/runtime/seeded-random.js';
import { noFaceService } from '../kit/no-face-service.js';

const connectionString = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function waitFor(check: () => Promise<boolean>, withinMs: number): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < withinMs) {
    if (await check()) return Date.now() - started;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`condition not met within ${withinMs} ms`);
}

test('two service nodes on one PostgreSQL see each other’s enrollments and erasures within a second', { timeout: 60_000 }, async () => {
  const schema = `facekey_test_${randomBytes(6).toString('hex')}`;
  const masterKey = randomBytes(32);
  const engine = createEngine(DEFAULT_ENGINE_ID);
  const calibration = Calibration.load();
  const nodes = await Promise.all(
    [0, 1].map(async () => {
      const store = await PostgresStore.open({ connectionString, schema, masterKey, maxConnections: 4 });
      const galleries = new GalleryRegistry(engine, (dimension) => new ExactIndex({ dimension }));
      const watcher = await listenGalleryChanges(connectionString, schema, {
        onChange: (change) => void galleries.applyChange(store, change),
        onResync: () => void galleries.rebuild(store),
      });
      await galleries.rebuild(store);
      return { store, watcher, service: new BiometricService(store, noFaceService, calibration, galleries, engine) };
    }),
  );
  const [a, b] = nodes as [(typeof nodes)[0], (typeof nodes)[0]];
  try {
    const tenant = await a.store.createTenant({ name: 'multi-node' });
    const subject = await a.store.createSubject({ tenantId: tenant.id, externalRef: 'p1', consentId: 'c1' });
    const template = encodeTemplate(createTemplate(engine, randomVector(engine.dimension, seededRandom(7))));
    await a.service.enroll(tenant.id, subject.id, { template });

    const seenAfter = await waitFor(
      async () => (await b.service.identify(tenant.id, { template })).candidates.some((c) => c.subjectId === subject.id),
      1000,
    );
    assert.ok(await a.service.deleteSubject(tenant.id, subject.id));
    const goneAfter = await waitFor(async () => (await b.service.identify(tenant.id, { template })).candidates.length === 0, 1000);
    console.log(`node B matched node A's enrollment after ${seenAfter} ms and lost it ${goneAfter} ms after the erasure`);
    // Node A indexed its own write once, despite hearing it back from the trigger.
    assert.equal((await a.service.identify(tenant.id, { template })).candidates.length, 0);
  } finally {
    for (const n of nodes) {
      await n.watcher.close();
      await n.store.close();
    }
    const admin = new pg.Client({ connectionString });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  }
});
