/**
 * Registering a terminal is the tenant admin's call, made with an API key of scope `admin`, never
 * with a terminal signature: a stolen terminal must not be able to enrol more terminals.
 */
import { callFacekey, type FetchFunction } from './call-facekey.js';
import type { Ed25519PublicJwk } from '../devices/ed25519-public-key.js';

export type TerminalKind = 'checkout' | 'enrollment_kiosk' | 'temperature_scanner';

export interface TerminalRegistration {
  /** Shown to the tenant's staff, up to 200 characters. */
  readonly label: string;
  /** Only a `checkout` terminal may take payments. */
  readonly kind: TerminalKind;
  readonly publicKey: Ed25519PublicJwk;
}

export interface RegisteredTerminal {
  readonly id: string;
  readonly tenantId: string;
  readonly label: string;
  readonly kind: TerminalKind;
  readonly publicKeyJwk: Ed25519PublicJwk;
  readonly createdAt: string;
  readonly revokedAt: string | null;
}

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
