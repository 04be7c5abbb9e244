import path from 'node:path';
import { createRemoteJWKSet, type JWTVerifyGetKey } from 'jose';
import type { NetworkConfig } from '../config/service-config.js';
import { startNetworkSimulator, type RunningNetworkSimulator } from '../network-sim/start-network-simulator.js';

export interface CardNetwork {
  /** What the kiosks are told (web-config) and the pages' CSP allows; null when there is none. */
  readonly url: string | null;
  /** The embedded simulator, when this process runs one. */
  readonly simulator?: RunningNetworkSimulator;
  /** Once facekey listens: where the simulator fetches facekey's JWKS. */
  serviceListening(serviceUrl: string): void;
  close(): Promise<void>;
}

export interface EmbeddedNetworkSettings {
  readonly host: string;
  readonly dataDir: string;
  /** facekey's public URL: the assertions' issuer, and the origin allowed to frame the card page. */
  readonly publicUrl: string;
  readonly logLevel: string;
  /** False when the port is only PORT+1 by default: then a busy port falls back to a free one. */
  readonly portConfigured: boolean;
}

/**
 * The card network `facekey serve` offers its kiosks: the simulator in this process (its own
 * store, vault key and data folder, as `facekey network-sim` would have), an external one, or none.
 * The embedded simulator trusts facekey's JWKS exactly as the standalone one does, over HTTP: it
 * shares no key and no code path with facekey's signing beyond that.
 */
export async function startCardNetwork(config: NetworkConfig, settings: EmbeddedNetworkSettings): Promise<CardNetwork> {
  if (config.mode !== 'embedded') {
    return { url: config.mode === 'external' ? config.url : null, serviceListening: () => {}, close: async () => {} };
  }
  let jwksUrl: URL | undefined;
  let remote: JWTVerifyGetKey | undefined;
  // facekey's port is known only once it listens (PORT=0); the keys are first needed at the first authorization.
  const keys: JWTVerifyGetKey = (header, token) => {
    if (!jwksUrl) throw new Error('facekey is not listening yet');
    remote ??= createRemoteJWKSet(jwksUrl, { timeoutDuration: 5_000 });
    return remote(header, token);
  };
  const start = (port: number) =>
    startNetworkSimulator({
      port,
      host: settings.host,
      dataDir: path.join(settings.dataDir, 'network-sim'),
      jwksUrl: 'http://127.0.0.1/unused', // `keys` below resolves facekey's JWKS once it listens
      keys,
      issuer: settings.publicUrl,
      cardLimit: 500_000,
      logLevel: settings.logLevel,
      cardPageOrigins: [new URL(settings.publicUrl).origin],
    });
  let simulator: RunningNetworkSimulator;
  try {
    simulator = await start(config.simulatorPort);
  } catch (error) {
    if (settings.portConfigured || (error as { code?: string }).code !== 'EADDRINUSE') throw error;
    simulator = await start(0);
  }
  // The browser reaches the simulator on facekey's public host name, at the simulator's port.
  const publicHost = new URL(settings.publicUrl).hostname;
  const url = `http://${publicHost.includes(':') && !publicHost.startsWith('[') ? `[${publicHost}]` : publicHost}:${new URL(simulator.url).port}`;
  return {
    url,
    simulator,
    serviceListening: (serviceUrl) => {
      jwksUrl = new URL('/.well-known/jwks.json', serviceUrl);
    },
    close: () => simulator.close(),
  };
}
