import type { FastifyRequest } from 'fastify';
import { Forbidden, Unauthorized } from '../errors/domain-errors.js';
import { parseApiKey, secretMatches, type ApiKeyScope } from '../auth/api-key.js';
import type { BiometricStore } from '../store/biometric-store.js';
import type { ConsoleSession } from '../auth/console-sessions.js';
import { readCookie } from './session-cookie.js';

/** The merchant console's session cookie (src/auth/console-sessions.ts). */
export const CONSOLE_COOKIE = 'fk_console';
/** The header a console page echoes its session's CSRF token in. */
export const CSRF_HEADER = 'x-csrf-token';

/** What authentication needs to resolve a console cookie. */
export interface ConsoleSessionLookup {
  find(sessionId: string): Promise<ConsoleSession | undefined>;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by buildApp when the service runs console sessions: then the cookie may stand in for a key. */
    consoleSessions?: ConsoleSessionLookup;
  }
}

/** Methods a browser may send cross-site without a preflight are kept free of side effects: only they skip the CSRF check. */
const SAFE_METHODS = new Set(['GET', 'HEAD']);

/** Who is calling: an operator key (no tenant) or a tenant's key with its scopes. */
export interface Principal {
  readonly keyId: string;
  readonly tenantId: string | null;
  readonly scopes: readonly string[];
}

/**
 * Resolves the Bearer API key or, without an Authorization header, the console session cookie.
 * Every failure is the same 401 so keys and sessions cannot be probed, and each one counts
 * against the address's failed authentications.
 */
export async function authenticate(request: FastifyRequest, store: BiometricStore): Promise<Principal> {
  const header = request.headers.authorization;
  if (header === undefined && request.consoleSessions) {
    const sessionId = readCookie(request, CONSOLE_COOKIE);
    if (sessionId !== undefined) return authenticateConsoleSession(request, store, request.consoleSessions, sessionId);
  }
  const token = header?.startsWith('Bearer ') ? header.slice(7).trim() : '';
  return authenticateApiKey(request, store, token);
}

/** A presented API key (a Bearer header, or the console's sign-in body). */
export async function authenticateApiKey(request: FastifyRequest, store: BiometricStore, token: string): Promise<Principal> {
  const parsed = parseApiKey(token);
  const record = parsed ? await store.findApiKey(parsed.keyId) : undefined;
  if (!parsed || !record || record.revokedAt || !secretMatches(parsed.secret, record.secretHash)) {
    throw refuse(request, new Unauthorized('missing, malformed, unknown or revoked API key'));
  }
  // Only now, with the secret verified, may the key id choose a rate-limit bucket.
  request.abuseGuard?.verified(`key:${record.keyId}`);
  return { keyId: record.keyId, tenantId: record.tenantId, scopes: record.scopes };
}

/**
 * The session's key is looked up on every request, so a revoked key ends its sessions and a key's
 * scopes are always its current ones. A state-changing request must echo the session's CSRF token:
 * SameSite=Strict already keeps other sites' requests from carrying the cookie; the token also
 * holds where SameSite is not honoured.
 */
async function authenticateConsoleSession(
  request: FastifyRequest,
  store: BiometricStore,
  sessions: ConsoleSessionLookup,
  sessionId: string,
): Promise<Principal> {
  const session = await sessions.find(sessionId);
  const record = session ? await store.findApiKey(session.keyId) : undefined;
  if (!session || !record || record.revokedAt || record.tenantId !== session.tenantId) {
    throw refuse(request, new Unauthorized('missing, expired or ended console session'));
  }
  request.abuseGuard?.verified(`key:${record.keyId}`);
  if (!SAFE_METHODS.has(request.method)) {
    const presented = request.headers[CSRF_HEADER];
    if (!session.csrfMatches(typeof presented === 'string' ? presented : undefined)) {
      throw new Forbidden(`a console session needs its CSRF token in the ${CSRF_HEADER} header for ${request.method}`);
    }
  }
  return { keyId: record.keyId, tenantId: record.tenantId, scopes: record.scopes };
}

function refuse(request: FastifyRequest, error: Unauthorized): unknown {
  return request.abuseGuard ? request.abuseGuard.failed(error) : error;
}

export function requireOperator(principal: Principal): void {
  if (principal.tenantId !== null) throw new Forbidden('this operation needs an operator key');
}

/** A tenant key with the scope (admin implies every scope of its tenant). */
export function requireTenantScope(principal: Principal, scope: ApiKeyScope): string {
  if (principal.tenantId === null) throw new Forbidden('this operation needs a tenant API key');
  if (!principal.scopes.includes(scope) && !principal.scopes.includes('admin'))
    throw new Forbidden(`this API key lacks the "${scope}" scope`);
  return principal.tenantId;
}

/** A tenant key with the scope, and how the audit trail names it. */
export async function tenantCaller(
  request: FastifyRequest,
  store: BiometricStore,
  scope: ApiKeyScope,
): Promise<{ tenantId: string; actor: string }> {
  const principal = await authenticate(request, store);
  return { tenantId: requireTenantScope(principal, scope), actor: `key:${principal.keyId}` };
}
