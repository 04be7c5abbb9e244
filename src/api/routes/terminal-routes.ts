/**
 * A tenant's admin registers, lists and revokes its terminals. Terminals are managed with the
 * tenant's API key, never with a terminal signature: a stolen terminal must not be able to
 * register more terminals or un-revoke itself.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { BiometricStore } from '../../store/biometric-store.js';
import { authenticate, requireTenantScope, tenantCaller } from '../authenticate.js';
import { NotFound } from '../../errors/domain-errors.js';
import { MAX_LABEL_LENGTH, TERMINAL_KINDS, type NewTerminal, type TerminalRegistry } from '../../devices/terminal-registry.js';
import { idParams, strictObject } from '../json-schemas.js';

const publicKeyJwk = {
  type: 'object',
  // Key-management fields a JWK may carry (kid, use, alg, key_ops) are tolerated; "d" is not (see ed25519-public-key.ts).
  required: ['kty', 'crv', 'x'],
  properties: {
    kty: { type: 'string', const: 'OKP' },
    crv: { type: 'string', const: 'Ed25519' },
    x: { type: 'string', minLength: 43, maxLength: 43 },
  },
} as const;

const terminalBody = strictObject(['label', 'kind', 'publicKey'], {
  label: { type: 'string', minLength: 1, maxLength: MAX_LABEL_LENGTH },
  kind: { type: 'string', enum: [...TERMINAL_KINDS] },
  publicKey: publicKeyJwk,
});

export function terminalRoutes(store: BiometricStore, registry: TerminalRegistry): FastifyPluginAsync {
  return async (app) => {
    app.post<{ Body: NewTerminal }>('/terminals', { schema: { tags: ['terminals'], body: terminalBody } }, async (request, reply) => {
      const { tenantId, actor } = await tenantCaller(request, store, 'admin');
      return reply.code(201).send(await registry.register(tenantId, request.body, actor));
    });

    app.get('/terminals', { schema: { tags: ['terminals'] } }, async (request) => {
      const tenantId = requireTenantScope(await authenticate(request, store), 'admin');
      return { items: await registry.list(tenantId) };
    });

    app.delete<{ Params: { id: string } }>(
      '/terminals/:id',
      { schema: { tags: ['terminals'], params: idParams } },
      async (request, reply) => {
        const { tenantId, actor } = await tenantCaller(request, store, 'admin');
        if (!(await registry.revoke(tenantId, request.params.id, actor))) throw new NotFound('terminal not found');
        return reply.code(204).send();
      },
    );
  };
}
