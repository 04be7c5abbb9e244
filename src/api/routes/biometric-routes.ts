import { createHash } from 'node:crypto';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { BiometricStore } from '../../store/biometric-store.js';
import type { BiometricService, Sample } from '../../biometrics/biometric-service.js';
import { authenticate, requireTenantScope } from '../authenticate.js';
import { Conflict, InvalidArgument } from '../../errors/domain-errors.js';

const sampleProperties = {
  image: { type: 'string', contentEncoding: 'base64', minLength: 1, description: 'JPEG, PNG or WebP, base64' },
  template: { type: 'string', contentEncoding: 'base64', minLength: 1, description: 'a template computed on a device, base64' },
} as const;

const sampleBody = (extra: Record<string, object> = {}, required: string[] = []) =>
  ({ type: 'object', additionalProperties: false, required, properties: { ...sampleProperties, ...extra } }) as const;

const targetFmr = { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 } as const;

interface SampleBody {
  image?: string;
  template?: string;
}

function sampleOf(body: SampleBody): Sample {
  if ((body.image === undefined) === (body.template === undefined)) throw new InvalidArgument('send exactly one of "image" or "template"');
  const bytes = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'base64'));
  return body.image !== undefined ? { image: bytes(body.image) } : { template: bytes(body.template!) };
}

/**
 * Replays the stored response for a repeated Idempotency-Key; the same key with another body is a
 * conflict, so a retried enrollment never creates a second template.
 */
async function idempotent<T>(
  store: BiometricStore,
  tenantId: string,
  request: FastifyRequest,
  run: () => Promise<T>,
): Promise<{ replayed: boolean; response: T }> {
  const key = request.headers['idempotency-key'];
  if (typeof key !== 'string' || key.length === 0) return { replayed: false, response: await run() };
  if (key.length > 200) throw new InvalidArgument('Idempotency-Key is longer than 200 characters');
  const requestHash = createHash('sha256')
    .update(JSON.stringify({ url: request.url, body: request.body }))
    .digest('hex');
  const previous = await store.getIdempotent(tenantId, key);
  if (previous) {
    if (previous.requestHash !== requestHash) throw new Conflict('this Idempotency-Key was used with a different request');
    return { replayed: true, response: previous.response as T };
  }
  // Two identical requests racing can both run; the store keeps the first response and both callers
  // receive it. Reserving the key before running would close that window (left for the checkout work).
  const response = await run();
  const stored = await store.putIdempotent(tenantId, key, requestHash, response);
  return { replayed: JSON.stringify(stored.response) !== JSON.stringify(response), response: stored.response as T };
}

export function biometricRoutes(store: BiometricStore, service: BiometricService): FastifyPluginAsync {
  return async (app) => {
    app.post<{ Params: { id: string }; Body: SampleBody }>(
      '/subjects/:id/templates',
      { schema: { tags: ['biometrics'], body: sampleBody() } },
      async (request, reply) => {
        const tenantId = requireTenantScope(await authenticate(request, store), 'enroll');
        const sample = sampleOf(request.body);
        const { replayed, response } = await idempotent(store, tenantId, request, () =>
          service.enroll(tenantId, request.params.id, sample),
        );
        return reply
          .code(replayed ? 200 : 201)
          .header('idempotent-replayed', String(replayed))
          .send(response);
      },
    );

    app.post<{ Params: { id: string }; Body: { samples: SampleBody[] } }>(
      '/subjects/:id/templates/batch',
      {
        schema: {
          tags: ['biometrics'],
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['samples'],
            properties: { samples: { type: 'array', minItems: 1, maxItems: 10, items: sampleBody() } },
          },
        },
      },
      async (request, reply) => {
        const tenantId = requireTenantScope(await authenticate(request, store), 'enroll');
        const samples = request.body.samples.map(sampleOf);
        const { replayed, response } = await idempotent(store, tenantId, request, () =>
          service.enrollMany(tenantId, request.params.id, samples),
        );
        return reply.code(200).header('idempotent-replayed', String(replayed)).send(response);
      },
    );

    app.post<{ Body: SampleBody & { subjectId: string; targetFmr?: number } }>(
      '/verify',
      { schema: { tags: ['biometrics'], body: sampleBody({ subjectId: { type: 'string', minLength: 1 }, targetFmr }, ['subjectId']) } },
      async (request) => {
        const tenantId = requireTenantScope(await authenticate(request, store), 'verify');
        return service.verify(tenantId, request.body.subjectId, sampleOf(request.body), request.body.targetFmr);
      },
    );

    app.post<{ Body: SampleBody & { targetFmr?: number } }>(
      '/identify',
      { schema: { tags: ['biometrics'], body: sampleBody({ targetFmr }) } },
      async (request) => {
        const tenantId = requireTenantScope(await authenticate(request, store), 'identify');
        return service.identify(tenantId, sampleOf(request.body), request.body.targetFmr);
      },
    );
  };
}
