/**
 * The merchant console's own routes: sign-in (API key → HttpOnly session cookie), sign-out, and the
 * figures its pages show. Every other console page calls the existing tenant routes with the
 * cookie (authenticate.ts accepts it in place of the key).
 */
import type { FastifyPluginAsync } from 'fastify';
import type { BiometricStore } from '../../store/biometric-store.js';
import type { ConsoleSessions } from '../../auth/console-sessions.js';
import type { MerchantOverviews } from '../../checkout/merchant-overview.js';
import { OVERVIEW_DEFAULT_DAYS, OVERVIEW_MAX_DAYS } from '../../checkout/merchant-overview.js';
import type { EngineCatalog } from '../../biometrics/engine-catalog.js';
import type { TenantEngines } from '../../biometrics/tenant-engines.js';
import type { AuditChainResult } from '../../audit/verify-chain.js';
import { Forbidden, InvalidArgument, NotFound } from '../../errors/domain-errors.js';
import { authenticate, authenticateApiKey, CONSOLE_COOKIE, requireTenantScope, tenantCaller } from '../authenticate.js';
import { clearSessionCookie, readCookie, setSessionCookie } from '../session-cookie.js';
import { strictObject } from '../json-schemas.js';

/** The cookie goes to every API route (the console calls them all) and to nothing else. */
const COOKIE_PATH = '/v1';

const signInBody = strictObject(['apiKey'], {
  apiKey: { type: 'string', minLength: 1, maxLength: 200, description: 'a tenant API key, fk_<keyId>_<secret>' },
});

const overviewQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { days: { type: 'integer', minimum: 1, maximum: OVERVIEW_MAX_DAYS, default: OVERVIEW_DEFAULT_DAYS } },
} as const;

export interface ConsoleRouteDependencies {
  readonly store: BiometricStore;
  readonly sessions: ConsoleSessions;
  readonly overviews: MerchantOverviews;
  readonly engines: EngineCatalog;
  readonly tenantEngines: TenantEngines;
  readonly auditChain: { verifyNow(): Promise<AuditChainResult> };
  /** Secure cookies when the service is reached over https. */
  readonly secureCookies: boolean;
}

export function consoleRoutes(deps: ConsoleRouteDependencies): FastifyPluginAsync {
  const { store, sessions } = deps;
  return async (app) => {
    app.post<{ Body: { apiKey: string } }>(
      '/console/sessions',
      { schema: { tags: ['console'], body: signInBody, security: [] } },
      async (request, reply) => {
        const principal = await authenticateApiKey(request, store, request.body.apiKey);
        if (principal.tenantId === null) throw new Forbidden("the console signs in with a tenant's API key, not an operator key");
        const session = await sessions.create({ keyId: principal.keyId, tenantId: principal.tenantId });
        setSessionCookie(reply, {
          name: CONSOLE_COOKIE,
          value: session.sessionId,
          path: COOKIE_PATH,
          maxAgeSeconds: sessions.lifetimeSeconds,
          secure: deps.secureCookies,
        });
        return reply
          .code(201)
          .header('cache-control', 'no-store')
          .send({ csrfToken: session.csrfToken, tenantId: principal.tenantId, scopes: principal.scopes, expiresAt: session.expiresAt });
      },
    );

    app.delete(
      '/console/sessions/current',
      { schema: { tags: ['console'], security: [{ consoleSession: [] }] } },
      async (request, reply) => {
        if (request.headers.authorization !== undefined) {
          throw new InvalidArgument('signing out ends the session of the console cookie: send no Authorization header');
        }
        await authenticate(request, store); // 401 without a live session, 403 without its CSRF token
        await sessions.end(readCookie(request, CONSOLE_COOKIE)!);
        clearSessionCookie(reply, CONSOLE_COOKIE, COOKIE_PATH);
        return reply.code(204).send();
      },
    );

    app.get<{ Querystring: { days: number } }>(
      '/console/overview',
      { schema: { tags: ['console'], querystring: overviewQuery } },
      async (request) => {
        const { tenantId } = await tenantCaller(request, store, 'admin');
        return deps.overviews.overview(tenantId, request.query.days);
      },
    );

    app.get('/console/accuracy', { schema: { tags: ['console'] } }, async (request) => {
      const tenantId = requireTenantScope(await authenticate(request, store), 'admin');
      const active = await deps.tenantEngines.activeFor(tenantId);
      const accuracy = deps.engines.accuracy(active.engine);
      if (!accuracy) throw new NotFound(`engine ${active.engine.id}@${active.engine.version} is not in the registry`);
      return accuracy;
    });

    app.get('/console/audit', { schema: { tags: ['console'] } }, async (request) => {
      requireTenantScope(await authenticate(request, store), 'admin');
      const result = await deps.auditChain.verifyNow();
      return result.ok
        ? { ok: true, entries: result.count, head: result.head.hash, headSeq: result.head.seq }
        : {
            ok: false,
            entries: result.count,
            firstBadEntry: { seq: result.firstBad.seq, problem: result.problem, message: result.message },
          };
    });
  };
}
