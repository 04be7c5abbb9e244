import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { ServiceConfig } from '../config/service-config.js';
import { loadOrCreateMasterKey } from '../crypto/master-key.js';
import { openStore } from './open-store.js';
import { ensureOperatorKey } from './operator-key.js';
import { createPooledFaceService, type PoolSettings } from '../pipeline/pooled-face-service.js';
import { createEngine, DEFAULT_ENGINE_ID } from '../engines/engine-registry.js';
import { GalleryRegistry } from '../biometrics/gallery-registry.js';
import { BiometricService } from '../biometrics/biometric-service.js';
import { Calibration } from '../matcher/calibration/calibration-table.js';
import { TieredIndex } from '../matcher/index/tiered-index.js';
import { buildApp } from '../api/build-app.js';

export interface RunningService {
  readonly app: FastifyInstance;
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Wires the service: master key → store → operator key → face-engine worker pool → per-tenant
 * galleries rebuilt from the store → HTTP. Closing stops accepting requests first, then the pool,
 * then the store, so nothing acknowledged is cut off.
 */
export async function startService(config: ServiceConfig, pool: PoolSettings = {}): Promise<RunningService> {
  const masterKey = loadOrCreateMasterKey({ keyHex: config.masterKeyHex, keyFile: path.join(config.dataDir, 'master.key') });
  const { store, kind, watchGallery } = await openStore(config, masterKey);
  const operator = await ensureOperatorKey(store, config.dataDir);
  const faces = await createPooledFaceService([DEFAULT_ENGINE_ID], pool);
  const engine = createEngine(DEFAULT_ENGINE_ID);
  const galleries = new GalleryRegistry(engine, (dimension) => new TieredIndex({ dimension }));
  const biometrics = new BiometricService(store, faces, Calibration.load(), galleries, engine);
  const app = await buildApp({
    store,
    biometrics,
    bodyLimit: config.bodyLimit,
    rateLimitPerMinute: config.rateLimitPerMinute,
    logger: { level: config.logLevel },
    readiness: async () => ({
      models: faces.isReady(),
      store: await store.getTenant('00000000-0000-0000-0000-000000000000').then(
        () => true,
        () => false,
      ),
    }),
  });
  // Subscribe before the rebuild, so a write landing in between is not missed.
  const watcher = await watchGallery?.({
    onChange: (change) =>
      void galleries.applyChange(store, change).catch((error: Error) => app.log.error({ err: error.message }, 'gallery update failed')),
    onResync: () => void galleries.rebuild(store).catch((error: Error) => app.log.error({ err: error.message }, 'gallery resync failed')),
  });
  const indexed = await galleries.rebuild(store);
  const url = await app.listen({ port: config.port, host: config.host });
  app.log.info({ store: kind, templatesIndexed: indexed, engine: `${engine.id}@${engine.version}` }, 'facekey service ready');
  if (operator.created) app.log.info({ file: operator.file }, 'operator API key written (readable only by this user)');
  return {
    app,
    url,
    close: async () => {
      await app.close();
      await watcher?.close();
      await faces.close();
      await store.close();
    },
  };
}
