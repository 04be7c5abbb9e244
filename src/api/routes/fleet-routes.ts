/**
 * The fleet over HTTP: a tenant's admin creates claims, lists devices with their presence, reads
 * and changes twins, rotates credentials and revokes devices; a new device registers with its
 * claim token (the token is its only credential, so that one route takes no API key). Ready for
 * the console's fleet page.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { BiometricStore } from '../../store/biometric-store.js';
import { tenantCaller } from '../authenticate.js';
import { NotFound } from '../../errors/domain-errors.js';
import { TERMINAL_KINDS, type TerminalKind } from '../../devices/terminal-registry.js';
import type { Fleet } from '../../fleet/compose-fleet.js';
import type { DevicePlacement, NewClaim, Registration } from '../../fleet/fleet-provisioning.js';
import { DESIRED_SETTING_NAMES, type TwinState } from '../../fleet/device-twins.js';
import { JOB_MODES, type NewJob } from '../../fleet/rollouts.js';
import { SECONDARY_CHECK_OUTCOMES, type SecondaryCheckOutcome } from '../../fleet/fever-alerts.js';
import { idParams, strictObject } from '../json-schemas.js';

const tagList = { type: 'array', maxItems: 20, items: { type: 'string', minLength: 1, maxLength: 64 } } as const;

const claimBody = strictObject(['kind', 'siteId', 'expiresInSeconds', 'maxUses'], {
  kind: { type: 'string', enum: [...TERMINAL_KINDS] },
  siteId: { type: 'string', minLength: 1, maxLength: 64 },
  tags: tagList,
  expiresInSeconds: { type: 'integer', minimum: 60, maximum: 2_592_000 },
  maxUses: { type: 'integer', minimum: 1, maximum: 10_000 },
});

const registrationBody = strictObject(['claimToken', 'publicKey', 'proof'], {
  claimToken: { type: 'string', minLength: 1, maxLength: 200 },
  publicKey: {
    type: 'object',
    required: ['kty', 'crv', 'x'],
    properties: { kty: { type: 'string', const: 'OKP' }, crv: { type: 'string', const: 'Ed25519' }, x: { type: 'string', minLength: 43, maxLength: 43 } },
  },
  proof: { type: 'string', minLength: 1, maxLength: 200, description: 'base64url Ed25519 signature over "facekey-fleet-claim-v1\\n<claimToken>\\n<publicKey.x>"' },
  label: { type: 'string', minLength: 1, maxLength: 200 },
});

const desiredBody = strictObject(['expectedVersion', 'changes'], {
  expectedVersion: { type: 'integer', minimum: 0, description: 'the desired version these changes are based on (409 conflict otherwise)' },
  changes: {
    type: 'object',
    description: `settings to set, or null to remove: ${DESIRED_SETTING_NAMES.join(', ')}`,
    minProperties: 1,
  },
});

const outcomeBody = strictObject(['outcome'], { outcome: { type: 'string', enum: [...SECONDARY_CHECK_OUTCOMES], description: 'the secondary check; erases the temperature value' } });

const deviceQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    kind: { type: 'string', enum: [...TERMINAL_KINDS] },
    siteId: { type: 'string', maxLength: 64 },
    tag: { type: 'string', maxLength: 64 },
  },
} as const;

const placementBody = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    siteId: { type: 'string', minLength: 1, maxLength: 64 },
    tags: { ...tagList, description: 'replaces the device’s tags' },
  },
} as const;

const listQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 } },
} as const;

const jobBody = strictObject(['document', 'target', 'abort', 'inProgressTimeoutMs'], {
  document: { type: 'object', description: 'what each device is to apply, e.g. { engine: { id, version } }' },
  target: deviceQuery,
  mode: {
    type: 'string',
    enum: [...JOB_MODES],
    default: 'snapshot',
    description:
      'snapshot: the devices the target selects at creation; continuous: also devices that match later (newly registered, moved or retagged), until an admin completes or cancels the job',
  },
  phases: { type: 'array', minItems: 1, maxItems: 20, items: { type: 'number', exclusiveMinimum: 0, maximum: 1 }, description: 'cumulative fractions ending at 1' },
  abort: strictObject(['failureTypes', 'thresholdPercent', 'minExecuted'], {
    failureTypes: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', enum: ['failed', 'rejected', 'timed_out'] } },
    thresholdPercent: { type: 'number', exclusiveMinimum: 0, maximum: 100 },
    minExecuted: { type: 'integer', minimum: 1 },
  }),
  inProgressTimeoutMs: { type: 'integer', minimum: 1000 },
  maxAttempts: { type: 'integer', minimum: 1, maximum: 10 },
  maxPerSecond: { type: 'integer', minimum: 1, description: 'rollout by rate: executions released per second at most' },
});

export function fleetRoutes(store: BiometricStore, fleet: Fleet): FastifyPluginAsync {
  return async (app) => {
    const tags = ['fleet'];

    /** An admin's call on one fleet resource by its id (`…/:id…`): the handler gets the caller and the id. */
    const adminOnId = (
      method: 'GET' | 'POST' | 'DELETE',
      url: string,
      handle: (caller: { tenantId: string; actor: string }, id: string) => Promise<unknown>,
    ) =>
      app.route<{ Params: { id: string } }>({
        method,
        url,
        schema: { tags, params: idParams },
        handler: async (request) => handle(await tenantCaller(request, store, 'admin'), request.params.id),
      });

    app.post<{ Body: NewClaim }>('/fleet/claims', { schema: { tags, body: claimBody } }, async (request, reply) => {
      const { tenantId, actor } = await tenantCaller(request, store, 'admin');
      const { claim, token } = await fleet.provisioning.createClaim(tenantId, request.body, actor);
      return reply.code(201).send({ ...claim, token });
    });

    app.get<{ Querystring: { limit: number } }>('/fleet/claims', { schema: { tags, querystring: listQuery } }, async (request) => {
      const { tenantId } = await tenantCaller(request, store, 'admin');
      return { items: await fleet.provisioning.listClaims(tenantId, request.query.limit) };
    });

    adminOnId('DELETE', '/fleet/claims/:id', ({ tenantId, actor }, id) => fleet.provisioning.revokeClaim(tenantId, id, actor));

    app.post<{ Body: Registration }>(
      '/fleet/registrations',
      { schema: { tags, body: registrationBody, security: [] } },
      async (request, reply) => reply.code(201).send(await fleet.provisioning.register(request.body)),
    );

    app.get<{ Querystring: { kind?: TerminalKind; siteId?: string; tag?: string } }>(
      '/fleet/devices',
      { schema: { tags, querystring: deviceQuery } },
      async (request) => {
        const { tenantId } = await tenantCaller(request, store, 'admin');
        const devices = await fleet.provisioning.listDevices(tenantId, request.query);
        // The engine a device says it runs (its reported twin): what a rollout changes, shown beside each device.
        const items = await Promise.all(
          devices.map(async (device) => ({
            ...device,
            presence: await fleet.presence.get(tenantId, device.id),
            engine: (await fleet.twins.get(tenantId, device.id)).reported.engine ?? null,
          })),
        );
        return { items, online: items.filter((d) => d.presence?.state === 'online').length };
      },
    );

    adminOnId('GET', '/fleet/devices/:id', async ({ tenantId }, id) => {
      const device = await fleet.provisioning.getDevice(tenantId, id);
      if (!device) throw new NotFound('no such device');
      return { ...device, presence: await fleet.presence.get(tenantId, device.id) };
    });

    app.patch<{ Params: { id: string }; Body: DevicePlacement }>(
      '/fleet/devices/:id',
      { schema: { tags, params: idParams, body: placementBody } },
      async (request) => {
        const { tenantId, actor } = await tenantCaller(request, store, 'admin');
        return fleet.provisioning.placeDevice(tenantId, request.params.id, request.body, actor);
      },
    );

    adminOnId('GET', '/fleet/devices/:id/connections', async ({ tenantId }, id) => ({ items: await fleet.presence.connectionLog(tenantId, id) }));

    adminOnId('GET', '/fleet/devices/:id/twin', ({ tenantId }, id) => fleet.twins.get(tenantId, id));

    app.patch<{ Params: { id: string }; Body: { expectedVersion: number; changes: TwinState } }>(
      '/fleet/devices/:id/twin/desired',
      { schema: { tags, params: idParams, body: desiredBody } },
      async (request) => {
        const { tenantId, actor } = await tenantCaller(request, store, 'admin');
        return fleet.twins.changeDesired(tenantId, request.params.id, request.body.changes, request.body.expectedVersion, actor);
      },
    );

    adminOnId('POST', '/fleet/devices/:id/credentials', ({ tenantId, actor }, id) => fleet.provisioning.rotateCredentials(tenantId, id, actor));

    app.post<{ Body: NewJob }>('/fleet/jobs', { schema: { tags, body: jobBody } }, async (request, reply) => {
      const { tenantId } = await tenantCaller(request, store, 'admin');
      return reply.code(201).send(await fleet.rollouts.create(tenantId, request.body));
    });

    app.get<{ Querystring: { limit: number } }>('/fleet/jobs', { schema: { tags, querystring: listQuery } }, async (request) => {
      const { tenantId } = await tenantCaller(request, store, 'admin');
      return { items: await fleet.rollouts.list(tenantId, request.query.limit) };
    });

    adminOnId('GET', '/fleet/jobs/:id', ({ tenantId }, id) => fleet.rollouts.get(tenantId, id));

    adminOnId('POST', '/fleet/jobs/:id/retry-failed', ({ tenantId }, id) => fleet.rollouts.retryFailed(tenantId, id));

    adminOnId('POST', '/fleet/jobs/:id/complete', ({ tenantId }, id) => fleet.rollouts.complete(tenantId, id));

    adminOnId('POST', '/fleet/jobs/:id/cancel', ({ tenantId }, id) => fleet.rollouts.cancel(tenantId, id));

    app.get('/fleet/fever-alerts', { schema: { tags } }, async (request) => {
      const { tenantId } = await tenantCaller(request, store, 'admin');
      return { items: await fleet.fever.list(tenantId), counts: fleet.fever.counts };
    });

    app.post<{ Params: { id: string }; Body: { outcome: SecondaryCheckOutcome } }>(
      '/fleet/fever-alerts/:id/outcome',
      { schema: { tags, params: idParams, body: outcomeBody } },
      async (request) => {
        const { tenantId } = await tenantCaller(request, store, 'admin');
        return fleet.fever.recordOutcome(tenantId, request.params.id, request.body.outcome);
      },
    );

    adminOnId('DELETE', '/fleet/devices/:id', ({ tenantId, actor }, id) => fleet.provisioning.revokeDevice(tenantId, id, actor));
  };
}
