import { randomBytes } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import { InvalidWebhookUrl } from './network-errors.js';
import type { NetworkStore } from './network-store.js';
import { strictObject } from '../api/json-schemas.js';

const webhookBody = strictObject(['url'], { url: { type: 'string', minLength: 1, maxLength: 2048 } });

/** Registers a receiver; its HMAC secret is returned once and otherwise kept sealed. */
export function webhookRoutes(store: NetworkStore, clock: () => Date): FastifyPluginAsync {
  return async (app) => {
    app.post<{ Body: { url: string } }>('/webhooks', { schema: { body: webhookBody } }, async (request, reply) => {
      const url = URL.canParse(request.body.url) ? new URL(request.body.url) : undefined;
      if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
        throw new InvalidWebhookUrl('webhook url must be an absolute http or https URL');
      }
      const webhook = { id: 'wh_' + randomBytes(12).toString('base64url'), url: url.href, secret: randomBytes(32).toString('base64url') };
      store.insertWebhook({ ...webhook, createdAt: clock().toISOString() });
      return reply.code(201).send({ id: webhook.id, secret: webhook.secret });
    });
  };
}
