import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { createRemoteJWKSet } from 'jose';
import { loadOrCreateMasterKey } from '../crypto/master-key.js';
import { createAssertionVerifier } from './assertion-verifier.js';
import { loadOrCreateAcquirerKey } from './acquirer-auth.js';
import { buildNetworkApp } from './build-network-app.js';
import type { NetworkSimConfig } from './network-sim-config.js';
import { NetworkStore } from './network-store.js';
import { WebhookDispatcher } from './webhook-dispatcher.js';

export interface RunningNetworkSimulator {
  readonly url: string;
  /** The acquirer API key /v1 routes need. */
  readonly apiKey: string;
  close(): Promise<void>;
}

export const VAULT_KEY_FILE = 'vault.key';

/**
 * Wires the simulator: vault key → its own store → JWKS verifier → webhooks → HTTP. Closing stops
 * accepting requests first, then cancels webhook deliveries, then closes the store.
 */
export async function startNetworkSimulator(config: NetworkSimConfig): Promise<RunningNetworkSimulator> {
  // Same discipline as facekey's master key (0600, never overwritten), but a different key in a
  // different directory: the two parties share no secret.
  const vaultKey = loadOrCreateMasterKey({ keyFile: path.join(config.dataDir, VAULT_KEY_FILE) });
  const store = new NetworkStore(config.dataDir, vaultKey);
  const clock = config.clock ?? (() => new Date());
  const keys = config.keys ?? createRemoteJWKSet(new URL(config.jwksUrl), { timeoutDuration: 5_000 });
  const apiKey = loadOrCreateAcquirerKey(config.apiKey, config.dataDir);
  let dispatcher: WebhookDispatcher | undefined;
  let app: FastifyInstance | undefined;
  try {
    app = await buildNetworkApp({
      apiKey,
      store,
      verify: createAssertionVerifier(keys, config.issuer, clock),
      cardLimit: config.cardLimit,
      clock,
      cardPageOrigins: config.cardPageOrigins ?? [new URL(config.issuer).origin],
      onDecided: (event) => dispatcher?.dispatch(event),
      logger: { level: config.logLevel, ...(config.logStream ? { stream: config.logStream } : {}) },
    });
    dispatcher = new WebhookDispatcher(() => store.listWebhooks(), app.log, config.webhookRetryDelaysMs);
    const url = await app.listen({ port: config.port, host: config.host });
    app.log.info({ cardLimit: config.cardLimit, issuer: config.issuer }, 'network simulator ready');
    const running = app;
    const deliveries = dispatcher;
    return {
      url,
      apiKey,
      close: async () => {
        await running.close();
        await deliveries.close();
        store.close();
      },
    };
  } catch (error) {
    await app?.close();
    store.close();
    throw error;
  }
}
