import type { FastifyRequest } from 'fastify';
import { Forbidden, Unauthorized } from '../errors/domain-errors.js';
import { parseApiKey, secretMatches, type ApiKeyScope } from '../auth/api-key.js';
import type { BiometricStore } from '../store/biometric-store.js';

/** Who is calling: an operator key (no tenant) or a tenant's key with its scopes. */
export interface Principal {
  readonly keyId: string;
  readonly tenantId: string | null;
  readonly scopes: readonly string[];
}

/** Resolves the Bearer API key; every failure is the same 401 so keys cannot be probed. */
export async function authenticate(request: FastifyRequest, store: BiometricStore): Promise<Principal> {
  const header = request.headers.authorization ?? '';
  const token = header.startsWith('Bearer ') ? header.slice(7).trim() : '';
  const parsed = parseApiKey(token);
  const record = parsed ? await store.findApiKey(parsed.keyId) : undefined;
  if (!parsed || !record || record.revokedAt || !secretMatches(parsed.secret, record.secretHash)) {
    const refused = new Unauthorized('missing, malformed, unknown or revoked API key');
    throw request.abuseGuard ? request.abuseGuard.failed(refused) : refused;
  }
  // Only now, with the secret verified, may the key id choose a rate-limit bucket.
  request.abuseGuard?.verified(`key:${record.keyId}`);
  return { keyId: record.keyId, tenantId: record.tenantId, scopes: record.scopes };
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
