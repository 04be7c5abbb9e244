import type { FastifyPluginAsync } from 'fastify';
import type { BiometricStore } from '../../store/biometric-store.js';
import type { AuditSink } from '../../audit/audit-sink.js';
import { authenticate, requireOperator, tenantAdministrator } from '../authenticate.js';
import { API_KEY_SCOPES, issueApiKey } from '../../auth/api-key.js';
import { Forbidden, NotFound } from '../../errors/domain-errors.js';
import { strictObject } from '../json-schemas.js';

const tenantBody = strictObject(['name'], { name: { type: 'string', minLength: 1, maxLength: 200 } });

const apiKeyBody = strictObject(['scopes'], {
  scopes: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', enum: [...API_KEY_SCOPES] } },
  label: { type: 'string', maxLength: 200 },
});

/**
 * Operators create tenants; operators or a tenant's admin keys issue and revoke that tenant's keys.
 * Each of these lands in the audit chain with the key that did it (never a secret).
 */
export function tenantRoutes(store: BiometricStore, audit: AuditSink): FastifyPluginAsync {
  return async (app) => {
    app.post<{ Body: { name: string } }>('/tenants', { schema: { tags: ['tenants'], body: tenantBody } }, async (request, reply) => {
      const principal = await authenticate(request, store);
      requireOperator(principal);
      const tenant = await store.createTenant({ name: request.body.name });
      await audit.append({ type: 'tenant.created', tenantId: tenant.id, actor: `key:${principal.keyId}`, data: { name: tenant.name } });
      return reply.code(201).send(tenant);
    });

    app.post<{ Params: { tenantId: string }; Body: { scopes: string[]; label?: string } }>(
      '/tenants/:tenantId/api-keys',
      { schema: { tags: ['tenants'], body: apiKeyBody } },
      async (request, reply) => {
        const { tenantId } = request.params;
        const principal = await tenantAdministrator(request, store, tenantId);
        const key = issueApiKey();
        await store.createApiKey({
          tenantId,
          scopes: request.body.scopes,
          keyId: key.keyId,
          secretHash: key.secretHash,
          ...(request.body.label ? { label: request.body.label } : {}),
        });
        await audit.append({
          type: 'api_key.issued',
          tenantId,
          actor: `key:${principal.keyId}`,
          data: { keyId: key.keyId, scopes: [...request.body.scopes] },
        });
        // The token is returned once and stored only as a hash.
        return reply.code(201).send({ keyId: key.keyId, token: key.token, scopes: request.body.scopes });
      },
    );

    app.delete<{ Params: { keyId: string } }>('/api-keys/:keyId', { schema: { tags: ['tenants'] } }, async (request, reply) => {
      const principal = await authenticate(request, store);
      const record = await store.findApiKey(request.params.keyId);
      const allowed =
        record && (principal.tenantId === null || (principal.tenantId === record.tenantId && principal.scopes.includes('admin')));
      if (!record || !allowed)
        throw principal.tenantId === null ? new NotFound('API key not found') : new Forbidden('not allowed to revoke this key');
      await store.revokeApiKey(request.params.keyId);
      await audit.append({ type: 'api_key.revoked', tenantId: record.tenantId, actor: `key:${principal.keyId}`, data: { keyId: record.keyId } });
      return reply.code(204).send();
    });
  };
}
