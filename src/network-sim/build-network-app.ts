import Fastify, { type FastifyInstance } from 'fastify';
import { answerWithProblems, STRICT_AJV } from '../api/problem-details.js';
import { authorizationRoutes } from './authorization-routes.js';
import type { AuthorizationDependencies } from './authorization-service.js';
import { tokenRoutes } from './token-routes.js';
import { webhookRoutes } from './webhook-routes.js';

export interface NetworkAppDependencies extends AuthorizationDependencies {
  readonly logger: boolean | { level: string; stream?: { write(line: string): void } };
}

/**
 * The simulator's own Fastify instance, deliberately separate from facekey's app. Logs carry
 * method, route, status and timing only: bodies — card numbers among them — never reach the log.
 */
export async function buildNetworkApp(deps: NetworkAppDependencies): Promise<FastifyInstance> {
  const app = Fastify({
    logger: deps.logger,
    bodyLimit: 64 * 1024,
    ajv: STRICT_AJV,
  });
  answerWithProblems(app);
  app.get('/health', async () => ({ status: 'ok' }));
  await app.register(tokenRoutes(deps.store, deps.clock), { prefix: '/v1' });
  await app.register(authorizationRoutes(deps), { prefix: '/v1' });
  await app.register(webhookRoutes(deps.store, deps.clock), { prefix: '/v1' });
  return app;
}
