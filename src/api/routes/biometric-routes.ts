import { createHash } from 'node:crypto';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { DEFAULT_IDEMPOTENCY_TTL_MS, type BiometricStore } from '../../store/biometric-store.js';
import type { BiometricService, Sample } from '../../biometrics/biometric-service.js';
import { authenticate, requireTenantScope, tenantCaller } from '../authenticate.js';
import { Conflict, Forbidden, InvalidArgument } from '../../errors/domain-errors.js';
import { strictObject } from '../json-schemas.js';

const sampleProperties = {
  image: { type: 'string', contentEncoding: 'base64', minLength: 1, description: 'JPEG, PNG or WebP, base64' },
  template: { type: 'string', contentEncoding: 'base64', minLength: 1, description: 'a template computed on a device, base64' },
} as const;

const sampleBody = (extra: Record<string, object> = {}, required: string[] = []) =>
  strictObject(required, { ...sampleProperties, ...extra });

const targetFmr = { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 } as const;

const allowDuplicate = {
  type: 'boolean',
  description: 'admin keys only: enroll a face that already belongs to another subject of the tenant (audited)',
} as const;

/**
 * An enroll key, or an admin key when the request overrides the duplicate-identity check: the
 * override binds one face to two subjects, so it is an administrator's decision, never a kiosk's.
 */
async function enroller(
  request: FastifyRequest,
  store: BiometricStore,
  overridesDuplicate: boolean | undefined,
): Promise<{ tenantId: string; actor: string }> {
  if (!overridesDuplicate) return tenantCaller(request, store, 'enroll');
  const principal = await authenticate(request, store);
  const tenantId = requireTenantScope(principal, 'admin');
  if (!principal.scopes.includes('admin')) throw new Forbidden('"allowDuplicate" needs an admin key');
  return { tenantId, actor: `key:${principal.keyId}` };
}

interface SampleBody {
  image?: string;
  template?: string;
}

function sampleOf(body: SampleBody): Sample {
  if ((body.image === undefined) === (body.template === undefined)) throw new InvalidArgument('send exactly one of "image" or "template"');
  const bytes = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'base64'));
  return body.image !== undefined ? { image: bytes(body.image) } : { template: bytes(body.template!) };
}

export interface IdempotencyOptions {
  /** How long a response is replayed for its Idempotency-Key (default 24 h); expired records are purged. */
  ttlMs: number;
  /**
   * How long a reservation holds a key whose run has not finished: a process that dies mid-run
   * cannot release it, and this bounds how long retries see 409. Far above any enrollment's duration.
   */
  leaseMs: number;
  /** Expired records are purged at most this often, piggybacking on requests (no timer to stop). */
  purgeIntervalMs: number;
}

export const DEFAULT_IDEMPOTENCY: IdempotencyOptions = {
  ttlMs: DEFAULT_IDEMPOTENCY_TTL_MS,
  leaseMs: 5 * 60 * 1000,
  purgeIntervalMs: 10 * 60 * 1000,
};

/**
 * Replays the stored response for a repeated Idempotency-Key; the same key with another body is a
 * conflict, so a retried enrollment never creates a second template. The key is reserved before the
 * run, so an identical request arriving while the first still runs gets 409 instead of running too;
 * a failed run releases the key so the client's retry can proceed.
 */
function idempotency(store: BiometricStore, options: IdempotencyOptions) {
  let lastPurge = Date.now();
  return async function idempotent<T>(
    tenantId: string,
    request: FastifyRequest,
    run: () => Promise<T>,
  ): Promise<{ replayed: boolean; response: T }> {
    const key = request.headers['idempotency-key'];
    if (typeof key !== 'string' || key.length === 0) return { replayed: false, response: await run() };
    if (key.length > 200) throw new InvalidArgument('Idempotency-Key is longer than 200 characters');
    if (Date.now() - lastPurge >= options.purgeIntervalMs) {
      lastPurge = Date.now();
      store.purgeExpiredIdempotent().catch((error: unknown) => request.log.warn({ err: error }, 'idempotency purge failed'));
    }
    const requestHash = createHash('sha256')
      .update(JSON.stringify({ url: request.url, body: request.body }))
      .digest('hex');
    const claim = await store.reserveIdempotent(tenantId, key, requestHash, options.leaseMs);
    if (claim.state !== 'reserved') {
      const holder = claim.state === 'completed' ? claim.record.requestHash : claim.requestHash;
      if (holder !== requestHash) throw new Conflict('this Idempotency-Key was used with a different request');
      if (claim.state === 'pending') throw new Conflict('request with this Idempotency-Key is in progress');
      return { replayed: true, response: claim.record.response as T };
    }
    let response: T;
    try {
      response = await run();
    } catch (error) {
      await store.releaseIdempotent(tenantId, key, requestHash).catch(() => undefined);
      throw error;
    }
    const stored = await store.putIdempotent(tenantId, key, requestHash, response, options.ttlMs);
    // Differs only if our lease lapsed and another run completed the key first: answer with its response.
    return { replayed: JSON.stringify(stored.response) !== JSON.stringify(response), response: stored.response as T };
  };
}

export function biometricRoutes(
  store: BiometricStore,
  service: BiometricService,
  idempotencyOptions: IdempotencyOptions = DEFAULT_IDEMPOTENCY,
): FastifyPluginAsync {
  const idempotent = idempotency(store, idempotencyOptions);
  return async (app) => {
    app.post<{ Params: { id: string }; Body: SampleBody & { allowDuplicate?: boolean } }>(
      '/subjects/:id/templates',
      { schema: { tags: ['biometrics'], body: sampleBody({ allowDuplicate }) } },
      async (request, reply) => {
        const { tenantId, actor } = await enroller(request, store, request.body.allowDuplicate);
        const sample = sampleOf(request.body);
        const { replayed, response } = await idempotent(tenantId, request, () =>
          service.enroll(tenantId, request.params.id, sample, { actor }, { allowDuplicate: request.body.allowDuplicate === true }),
        );
        return reply
          .code(replayed ? 200 : 201)
          .header('idempotent-replayed', String(replayed))
          .send(response);
      },
    );

    app.post<{ Params: { id: string }; Body: { samples: SampleBody[]; allowDuplicate?: boolean } }>(
      '/subjects/:id/templates/batch',
      {
        schema: {
          tags: ['biometrics'],
          body: strictObject(['samples'], { samples: { type: 'array', minItems: 1, maxItems: 10, items: sampleBody() }, allowDuplicate }),
        },
      },
      async (request, reply) => {
        const { tenantId, actor } = await enroller(request, store, request.body.allowDuplicate);
        const samples = request.body.samples.map(sampleOf);
        const { replayed, response } = await idempotent(tenantId, request, () =>
          service.enrollMany(tenantId, request.params.id, samples, { actor }, { allowDuplicate: request.body.allowDuplicate === true }),
        );
        return reply.code(200).header('idempotent-replayed', String(replayed)).send(response);
      },
    );

    app.post<{ Body: SampleBody & { subjectId: string; targetFmr?: number } }>(
      '/verify',
      { schema: { tags: ['biometrics'], body: sampleBody({ subjectId: { type: 'string', minLength: 1 }, targetFmr }, ['subjectId']) } },
      async (request) => {
        const { tenantId, actor } = await tenantCaller(request, store, 'verify');
        return service.verify(tenantId, request.body.subjectId, sampleOf(request.body), request.body.targetFmr, { actor });
      },
    );

    app.post<{ Body: SampleBody & { targetFmr?: number } }>(
      '/identify',
      { schema: { tags: ['biometrics'], body: sampleBody({ targetFmr }) } },
      async (request) => {
        const { tenantId, actor } = await tenantCaller(request, store, 'identify');
        return service.identify(tenantId, sampleOf(request.body), request.body.targetFmr, { actor });
      },
    );
  };
}
