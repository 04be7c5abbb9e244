import { randomBytes } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import { assertCardAcceptable, formatExpiry } from './card-validation.js';
import { TokenNotFound } from './network-errors.js';
import type { NetworkStore } from './network-store.js';
import { pathParams, strictObject } from '../api/json-schemas.js';

export interface CardDetails {
  readonly pan: string;
  readonly expiryMonth: number;
  readonly expiryYear: number;
}

/** Validates the card and seals it in the vault; only the token reference and last four digits come back. */
export function tokenizeCard(store: NetworkStore, card: CardDetails, now: Date): { tokenRef: string; last4: string } {
  const expiry = { month: card.expiryMonth, year: card.expiryYear };
  assertCardAcceptable(card.pan, expiry, now);
  const token = store.insertToken({
    tokenRef: 'tok_' + randomBytes(24).toString('base64url'),
    pan: card.pan,
    expiry: formatExpiry(expiry),
    createdAt: now.toISOString(),
  });
  return { tokenRef: token.tokenRef, last4: token.last4 };
}

// Ranges and the Luhn check are left to card validation, so every card fault is one 422 invalid_card.
export const tokenBody = strictObject(['pan', 'expiryMonth', 'expiryYear'], {
  pan: { type: 'string', maxLength: 64 },
  expiryMonth: { type: 'integer' },
  expiryYear: { type: 'integer' },
});

const tokenRefParams = pathParams('tokenRef');

/**
 * The vault. Called by the consumer's own device, never by facekey: facekey only ever sees the
 * token reference, so it holds no card data. The card number is sealed and never returned.
 */
export function tokenRoutes(store: NetworkStore, clock: () => Date): FastifyPluginAsync {
  return async (app) => {
    app.post<{ Body: { pan: string; expiryMonth: number; expiryYear: number } }>(
      '/tokens',
      { schema: { body: tokenBody } },
      async (request, reply) => reply.code(201).send(tokenizeCard(store, request.body, clock())),
    );

    // Deleting twice is not an error: the outcome the caller asked for holds.
    app.delete<{ Params: { tokenRef: string } }>('/tokens/:tokenRef', { schema: { params: tokenRefParams } }, async (request, reply) => {
      if (!store.deleteToken(request.params.tokenRef)) throw new TokenNotFound('token not found');
      return reply.code(204).send();
    });
  };
}
