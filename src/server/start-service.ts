import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { ServiceConfig } from '../config/service-config.js';
import { loadOrCreateMasterKey } from '../crypto/master-key.js';
import { openStore } from './open-store.js';
import { ensureOperatorKey } from './operator-key.js';
import { createPooledFaceService, type PoolSettings } from '../pipeline/pooled-face-service.js';
import { createEngine, engineIds as registeredEngineIds } from '../engines/engine-registry.js';
import { enginesToServe } from './engines-to-serve.js';
import { buildApp } from '../api/build-app.js';
import { composePlatform } from './compose-platform.js';
import { startFleet } from './start-fleet.js';
import { parseChallengeActions } from '../devices/liveness-sessions.js';
import { startCardNetwork } from './start-embedded-network.js';

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
  const { store, sql, kind, watchGallery } = await openStore(config, masterKey);
  const operator = await ensureOperatorKey(store, config.dataDir);
  // One pool runs every engine served: a capture computes the active and the older engines' templates in one task.
  const served = enginesToServe(config.engine, config.fallbackEngines, await store.storedEngines(), {
    has: (id) => registeredEngineIds().includes(id),
    versionOf: (id) => createEngine(id).version,
  });
  const engineIds = served.ids;
  const faces = await createPooledFaceService(engineIds, { ...(config.workers ? { size: config.workers } : {}), ...pool });
  const [engine, ...otherEngines] = engineIds.map(createEngine);
  const platform = await composePlatform(
    { store, sql, faces, engine: engine!, otherEngines, masterKey },
    {
      issuer: config.publicUrl,
      retentionDays: config.retentionDays,
      imageRetentionHours: config.imageRetentionHours,
      risk: { riskBudget: config.riskBudget, faceOnlyAmountLimit: config.faceOnlyAmountLimit },
      livenessSessions: {
        ttlSeconds: config.livenessSessionSeconds,
        steps: config.livenessEnrollmentSteps,
        checkoutSteps: config.livenessCheckoutSteps,
        ...(config.livenessActions ? { actions: parseChallengeActions(config.livenessActions, 'FACEKEY_LIVENESS_ACTIONS') } : {}),
      },
    },
  );
  const { galleries } = platform;
  const fleetLog = {
    warn: (message: string) => console.warn(message),
    error: (error: unknown) => console.error(`fleet: ${String(error)}`),
  };
  const fleet = await startFleet({ sql, terminals: platform.terminals, audit: platform.audit }, config.fleet, fleetLog);
  const network = await startCardNetwork(config.network, {
    host: config.host,
    dataDir: config.dataDir,
    publicUrl: config.publicUrl,
    logLevel: config.logLevel,
    portConfigured: config.network.mode === 'embedded' && config.network.simulatorPortConfigured,
  });
  const app = await buildApp({
    platform,
    fleet,
    web: { networkUrl: network.url },
    bodyLimit: config.bodyLimit,
    rateLimitPerMinute: config.rateLimitPerMinute,
    abuseLimits: { addressPerMinute: config.addressRateLimitPerMinute, failedAuthPerMinute: config.failedAuthPerMinute },
    ...(config.metricsToken ? { metricsToken: config.metricsToken } : {}),
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
  // Retention: erase inactive enrollments (and finish any opt-out a crash interrupted) and purge
  // expired enrollment photos, now and hourly. The purge runs even with retention turned off, so
  // photos kept under an earlier setting still go when they expire.
  const sweep = (): void => {
    void platform.consent
      .sweepRetention()
      .then((erased) => erased.length > 0 && app.log.info({ erased: erased.length }, 'retention sweep erased enrollments'))
      .catch((error: Error) => app.log.error({ err: error.message }, 'retention sweep failed'));
    void store
      .purgeExpiredImages(new Date().toISOString())
      .then((purged) => purged > 0 && app.log.info({ purged }, 'retention sweep purged expired enrollment images'))
      .catch((error: Error) => app.log.error({ err: error.message }, 'image purge failed'));
  };
  // Engine upgrades: retained enrollment photos of subjects not yet on their tenant's engine are
  // re-embedded, one at a time through the same pool (never two runs at once).
  let reembedding = false;
  const reembed = (): void => {
    if (reembedding) return;
    reembedding = true;
    void platform.biometrics
      .reembedAllRetained()
      .then((r) => r.migrated > 0 && app.log.info(r, 'engine migration re-embedded retained enrollment images'))
      .catch((error: Error) => app.log.error({ err: error.message }, 'engine migration re-embedding failed'))
      .finally(() => (reembedding = false));
  };
  sweep();
  const retentionTimer = setInterval(() => {
    sweep();
    reembed();
  }, 3_600_000);
  retentionTimer.unref();
  const stopNoncePurge = platform.nonces.purgeEvery(600_000, (error: unknown) =>
    app.log.error({ err: String(error) }, 'nonce purge failed'),
  );
  const stopSessionPurge = platform.livenessSessions.purgeEvery(600_000, (error: unknown) =>
    app.log.error({ err: String(error) }, 'liveness session purge failed'),
  );
  const url = await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const listeningHost = ['0.0.0.0', '::', ''].includes(config.host) ? '127.0.0.1' : config.host;
  network.serviceListening(
    typeof address === 'object' && address
      ? `http://${listeningHost.includes(':') ? `[${listeningHost}]` : listeningHost}:${address.port}`
      : url,
  );
  fleetLog.warn = (message) => app.log.warn(message);
  fleetLog.error = (error) => app.log.error({ err: String(error) }, 'fleet error');
  reembed();
  app.log.info(
    {
      store: kind,
      templatesIndexed: indexed,
      engine: `${engine!.id}@${engine!.version}`,
      // Each engine run, with its weights' terms (permitted / research-only / unknown), so an operator sees what it is running on.
      engines: platform.engines.servedSummary(),
      mqtt: fleet.broker.deviceUrl,
      network: network.url,
      networkSimulator: network.simulator ? 'embedded' : 'none',
    },
    'facekey service ready',
  );
  for (const engine of served.stranded) {
    app.log.warn(engine, 'stored templates of an engine this release cannot compute: those subjects must enroll again');
  }
  if (operator.created) app.log.info({ file: operator.file }, 'operator API key written (readable only by this user)');
  return {
    app,
    url,
    close: async () => {
      clearInterval(retentionTimer);
      stopNoncePurge();
      stopSessionPurge();
      // app.close() waits for open connections, not for handlers: one whose client already left still
      // awaits the engine pool, so faces.close() drains accepted tasks before it stops the workers.
      // A keep-alive connection goes idle once its in-flight response is sent and would hold close()
      // for the whole keep-alive timeout (72 s), so idle ones are reaped while closing.
      const reaper = setInterval(() => app.server.closeIdleConnections(), 100);
      try {
        await app.close();
      } finally {
        clearInterval(reaper);
      }
      await network.close();
      await watcher?.close();
      await fleet.close();
      await faces.close();
      await sql.close();
      await store.close();
    },
  };
}
