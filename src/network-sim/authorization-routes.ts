import type { FastifyPluginAsync } from 'fastify';
import { authorize, type AuthorizationDependencies } from './authorization-service.js';
import type { AuthorizationRequest } from './decline-reasons.js';
import { AuthorizationNotFound } from './network-errors.js';
import type { AuthorizationRecord } from './network-store.js';
import { idParams, strictObject } from '../api/json-schemas.js';

// The assertion is only bounded here: a malformed one is a decline (assertion_invalid), not a 400.
const authorizationBody = strictObject(['assertion', 'amount', 'currency', 'merchant', 'merchantRef'], {
  assertion: { type: 'string', minLength: 1, maxLength: 8192 },
  amount: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
  currency: { type: 'string', pattern: '^[A-Z]{3}$' },
  merchant: { type: 'string', minLength: 1, maxLength: 200 },
  merchantRef: { type: 'string', minLength: 1, maxLength: 200 },
});

/** A decline is an answer, not an error: it is a 200 with reasons, like a real network's response code. */
export function authorizationRoutes(deps: AuthorizationDependencies): FastifyPluginAsync {
  return async (app) => {
    app.post<{ Body: AuthorizationRequest }>('/authorizations', { schema: { body: authorizationBody } }, async (request) => {
      const record = await authorize(deps, request.body);
      return { authorizationId: record.id, decision: record.decision, reasons: record.reasons };
    });

    app.get<{ Params: { id: string } }>('/authorizations/:id', { schema: { params: idParams } }, async (request) => {
      const record = deps.store.getAuthorization(request.params.id);
      if (!record) throw new AuthorizationNotFound('authorization not found');
      return present(record);
    });
  };
}

function present(record: AuthorizationRecord): Record<string, unknown> {
  return {
    authorizationId: record.id,
    decision: record.decision,
    reasons: record.reasons,
    tokenRef: record.tokenRef,
    amount: record.amount,
    currency: record.currency,
    merchant: record.merchant,
    merchantRef: record.merchantRef,
    createdAt: record.createdAt,
  };
}
