import type { FastifyPluginAsync } from 'fastify';

/** What every web app reads first: where the card network is, which engine templates must come from, and how to talk. */
export interface WebConfig {
  /** The card network's base URL (its hosted card page); null when this service knows of none. */
  readonly networkUrl: string | null;
  /** The platform's active engine: a kiosk's template must be made with exactly this id and version. */
  readonly engine: { readonly id: string; readonly version: string };
  readonly currency: string;
  /** Languages the apps have texts for; the first is the default. */
  readonly languages: readonly string[];
  /** Actions per liveness challenge. */
  readonly challengeSteps: number;
  /** Where the face engine's models are: /models/<version> (immutable, cached for good) or /models. */
  readonly modelsBase: string;
}

const webConfigResponse = {
  200: {
    type: 'object',
    required: ['networkUrl', 'engine', 'currency', 'languages', 'challengeSteps', 'modelsBase'],
    properties: {
      networkUrl: { type: ['string', 'null'] },
      engine: { type: 'object', required: ['id', 'version'], properties: { id: { type: 'string' }, version: { type: 'string' } } },
      currency: { type: 'string' },
      languages: { type: 'array', items: { type: 'string' } },
      challengeSteps: { type: 'integer' },
      modelsBase: { type: 'string', description: 'where the face engine loads its models from: /models/<content version>, immutable' },
    },
  },
} as const;

/** Public: it holds nothing a kiosk page does not need before it has any credential. */
export function webConfigRoutes(config: () => WebConfig): FastifyPluginAsync {
  return async (app) => {
    app.get('/web-config', { schema: { tags: ['web'], security: [], response: webConfigResponse } }, async (_request, reply) =>
      reply.header('cache-control', 'no-cache').send(config()),
    );
  };
}
