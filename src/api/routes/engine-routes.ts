import type { FastifyPluginAsync } from 'fastify';
import type { BiometricStore } from '../../store/biometric-store.js';
import type { BiometricService } from '../../biometrics/biometric-service.js';
import type { EngineCatalog } from '../../biometrics/engine-catalog.js';
import type { TenantEngines } from '../../biometrics/tenant-engines.js';
import { authenticate, requireTenantScope, tenantAdministrator } from '../authenticate.js';

const tenantEngineBody = {
  type: 'object',
  additionalProperties: false,
  description: "The tenant's active engine; without `engine` the tenant follows the platform's (FACEKEY_ENGINE).",
  properties: {
    engine: { type: 'string', minLength: 1, maxLength: 100, description: 'an engine id the service runs (GET /v1/engines: served)' },
  },
} as const;

/**
 * Which engines exist and on which terms, which one a tenant matches with, and how far its
 * subjects have moved to it. Choosing is for operators and the tenant's admin, and is audited.
 */
export function engineRoutes(
  store: BiometricStore,
  catalog: EngineCatalog,
  tenantEngines: TenantEngines,
  biometrics: BiometricService,
): FastifyPluginAsync {
  return async (app) => {
    app.get('/engines', { schema: { tags: ['engines'] } }, async (request) => {
      const principal = await authenticate(request, store);
      const active = principal.tenantId === null ? undefined : await tenantEngines.activeFor(principal.tenantId);
      return {
        engines: catalog.list(),
        platformEngine: { id: tenantEngines.platformDefault.id, version: tenantEngines.platformDefault.version },
        ...(active ? { activeEngine: { id: active.engine.id, version: active.engine.version, source: active.source } } : {}),
      };
    });

    app.put<{ Params: { tenantId: string }; Body: { engine?: string } }>(
      '/tenants/:tenantId/engine',
      { schema: { tags: ['engines'], body: tenantEngineBody } },
      async (request) => {
        const { tenantId } = request.params;
        const principal = await tenantAdministrator(request, store, tenantId);
        const active = await tenantEngines.set(tenantId, request.body.engine ?? null, `key:${principal.keyId}`);
        return { tenantId, activeEngine: { id: active.engine.id, version: active.engine.version, source: active.source } };
      },
    );

    app.get('/engine-migration', { schema: { tags: ['engines'] } }, async (request) => {
      const tenantId = requireTenantScope(await authenticate(request, store), 'admin');
      return { tenantId, ...(await biometrics.migrationProgress(tenantId)) };
    });
  };
}
