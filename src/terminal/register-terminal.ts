/**
 * Registering a terminal is the tenant admin's call, made with an API key of scope `admin`, never
 * with a terminal signature: a stolen terminal must not be able to enrol more terminals.
 */
import { callFacekey, type FetchFunction } from './call-facekey.js';
import type { Ed25519PublicJwk } from '../devices/ed25519-public-key.js';
import type { Terminal, TerminalKind } from '../devices/terminal-registry.js';

// One list of kinds and one terminal shape: the registry's, as the SDK reads them back in JSON.
export type { TerminalKind } from '../devices/terminal-registry.js';

export interface TerminalRegistration {
  /** Shown to the tenant's staff, up to 200 characters. */
  readonly label: string;
  /** Only a `checkout` terminal may take payments. */
  readonly kind: TerminalKind;
  readonly publicKey: Ed25519PublicJwk;
}

/** A terminal as POST /v1/terminals returns it. */
export type RegisteredTerminal = Terminal;

export interface AdminConnection {
  readonly baseUrl: string | URL;
  /** `fk_<keyId>_<secret>` with scope `admin`; sent as a bearer token, never logged or echoed. */
  readonly apiKey: string;
  readonly fetch?: FetchFunction;
}

export async function registerTerminal(connection: AdminConnection, terminal: TerminalRegistration): Promise<RegisteredTerminal> {
  const fetchImpl = connection.fetch ?? ((input, init) => fetch(input, init));
  return callFacekey<RegisteredTerminal>(fetchImpl, new URL('/v1/terminals', connection.baseUrl), {
    method: 'POST',
    headers: { authorization: `Bearer ${connection.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(terminal),
  });
}
