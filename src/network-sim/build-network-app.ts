import Fastify, { type FastifyInstance } from 'fastify';
import { answerWithProblems, STRICT_AJV } from '../api/problem-details.js';
import { STRICT_SCHEMA_CONTROLLER } from '../api/strict-validation.js';
import { PROBLEM_CLIENT_ERRORS } from '../api/client-error-problems.js';
import { hygienicLogger, refuseQueryCredentials } from '../api/query-hygiene.js';
import { requireAcquirerKey } from './acquirer-auth.js';
import { authorizationRoutes } from './authorization-routes.js';
import type { AuthorizationDependencies } from './authorization-service.js';
import { tokenRoutes } from './token-routes.js';
import { webhookRoutes } from './webhook-routes.js';
import { hostedCardRoutes } from './hosted-card-routes.js';

export interface NetworkAppDependencies extends AuthorizationDependencies {
  /** Bearer key the merchant/acquirer side must present on every /v1 route. */
  readonly apiKey: string;
  readonly logger: boolean | { level: string; stream?: { write(line: string): void } };
  /** Origins besides http loopback ones that may frame the hosted card page (facekey's public URL). */
  readonly cardPageOrigins: readonly string[];
}

/**
 * The simulator's own Fastify instance, deliberately separate from facekey's app. Logs carry
 * method, route, status and timing only: bodies — card numbers among them — never reach the log.
 */
export async function buildNetworkApp(deps: NetworkAppDependencies): Promise<FastifyInstance> {
  const app = Fastify({
    logger: hygienicLogger(deps.logger),
    bodyLimit: 64 * 1024,
    ajv: STRICT_AJV,
    schemaController: STRICT_SCHEMA_CONTROLLER,
    ...PROBLEM_CLIENT_ERRORS,
  });
  refuseQueryCredentials(app);
  answerWithProblems(app);
  app.get('/health', async () => ({ status: 'ok' }));
  await app.register(hostedCardRoutes(deps.store, deps.clock, deps.cardPageOrigins));
  await app.register(
    async (v1) => {
      requireAcquirerKey(v1, deps.apiKey);
      await v1.register(tokenRoutes(deps.store, deps.clock));
      await v1.register(authorizationRoutes(deps));
      await v1.register(webhookRoutes(deps.store, deps.clock));
    },
    { prefix: '/v1' },
  );
  return app;
}
