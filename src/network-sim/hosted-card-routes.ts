import type { FastifyPluginAsync } from 'fastify';
import { Forbidden } from '../errors/domain-errors.js';
import { allowedFramingOrigin, CardPageTokens, hostedCardPage } from './hosted-card-page.js';
import type { NetworkStore } from './network-store.js';
import { tokenBody, tokenizeCard, type CardDetails } from './token-routes.js';

const cardPageQuery = {
  type: 'object',
  required: ['origin'],
  properties: { origin: { type: 'string', maxLength: 200 } },
} as const;

const hostedTokenBody = {
  ...tokenBody,
  required: [...tokenBody.required, 'pageToken', 'origin'],
  properties: { ...tokenBody.properties, pageToken: { type: 'string', maxLength: 200 }, origin: { type: 'string', maxLength: 200 } },
} as const;

/**
 * The consumer's side of the vault, outside /v1 and its acquirer key (a browser cannot hold that
 * key). What keeps it from being an open tokenizer: the page's form token (signed for the framing
 * origin, 15 minutes), and the browser's Origin header, which must be this simulator's own.
 */
export function hostedCardRoutes(store: NetworkStore, clock: () => Date, allowedOrigins: readonly string[]): FastifyPluginAsync {
  const pageTokens = new CardPageTokens(undefined, clock);
  return async (app) => {
    app.get<{ Querystring: { origin: string } }>('/hosted/card', { schema: { querystring: cardPageQuery } }, async (request, reply) => {
      const origin = allowedFramingOrigin(request.query.origin, allowedOrigins);
      const page = hostedCardPage(origin, pageTokens.issue(origin));
      return reply
        .type('text/html; charset=utf-8')
        .header('content-security-policy', page.contentSecurityPolicy)
        .header('cache-control', 'no-store')
        .header('x-content-type-options', 'nosniff')
        .header('referrer-policy', 'no-referrer')
        .send(page.html);
    });

    app.post<{ Body: CardDetails & { pageToken: string; origin: string } }>(
      '/hosted/tokens',
      { schema: { body: hostedTokenBody } },
      async (request, reply) => {
        const own = `${request.protocol}://${request.host}`;
        if (request.headers.origin !== own) throw new Forbidden('card details are accepted only from the hosted card page');
        const { pageToken, origin, ...card } = request.body;
        if (!pageTokens.valid(pageToken, allowedFramingOrigin(origin, allowedOrigins))) {
          throw new Forbidden('the card page has expired or was not issued for this origin: load it again');
        }
        return reply
          .code(201)
          .header('cache-control', 'no-store')
          .send(tokenizeCard(store, card, clock()));
      },
    );
  };
}
