import type { FastifyPluginAsync } from 'fastify';
import type { BiometricStore } from '../../store/biometric-store.js';
import type { ConsentService } from '../../consent/consent-service.js';
import { authenticate, requireTenantScope, tenantCaller } from '../authenticate.js';
import { NotFound } from '../../errors/domain-errors.js';
import { strictObject } from '../json-schemas.js';

const subjectBody = strictObject(['externalRef', 'consentId'], {
  externalRef: { type: 'string', minLength: 1, maxLength: 200 },
  consentId: { type: 'string', minLength: 1, maxLength: 200 },
});

const listQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 }, after: { type: 'string', maxLength: 100 } },
} as const;

/** Subjects exist only under an active consent (see consent-routes). Subjects of the calling tenant only: another tenant's ids are simply "not found". */
export function subjectRoutes(store: BiometricStore, consent: ConsentService): FastifyPluginAsync {
  return async (app) => {
    app.post<{ Body: { externalRef: string; consentId: string } }>(
      '/subjects',
      { schema: { tags: ['subjects'], body: subjectBody } },
      async (request, reply) => {
        const { tenantId, actor } = await tenantCaller(request, store, 'enroll');
        return reply.code(201).send(await consent.createSubject(tenantId, actor, request.body));
      },
    );

    app.get<{ Querystring: { limit: number; after?: string } }>(
      '/subjects',
      { schema: { tags: ['subjects'], querystring: listQuery } },
      async (request) => {
        const tenantId = requireTenantScope(await authenticate(request, store), 'enroll');
        return store.listSubjects(tenantId, { limit: request.query.limit, ...(request.query.after ? { after: request.query.after } : {}) });
      },
    );

    app.get<{ Params: { id: string } }>('/subjects/:id', { schema: { tags: ['subjects'] } }, async (request) => {
      const tenantId = requireTenantScope(await authenticate(request, store), 'enroll');
      const subject = await store.getSubject(tenantId, request.params.id);
      if (!subject) throw new NotFound('subject not found');
      return subject;
    });

    app.delete<{ Params: { id: string } }>('/subjects/:id', { schema: { tags: ['subjects'] } }, async (request, reply) => {
      const { tenantId, actor } = await tenantCaller(request, store, 'enroll');
      // The same erasure as a consumer's opt-out: templates shredded, tokens unlinked, receipt issued.
      await consent.optOut(tenantId, actor, request.params.id, 'all');
      return reply.code(204).send();
    });
  };
}
