import type { FastifyPluginAsync } from 'fastify';

export type Readiness = () => Promise<Record<string, boolean>>;

/** `/health`: the process answers. `/ready`: models loaded and the store reachable. */
export function healthRoutes(readiness: Readiness): FastifyPluginAsync {
  return async (app) => {
    app.get('/health', { schema: { security: [], tags: ['operations'] } }, async () => ({ status: 'ok' }));
    app.get('/ready', { schema: { security: [], tags: ['operations'] } }, async (_request, reply) => {
      const checks = await readiness().catch(() => ({ readiness: false }));
      const ready = Object.values(checks).every(Boolean);
      return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks });
    });
  };
}
