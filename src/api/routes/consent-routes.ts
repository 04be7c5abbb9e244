import type { FastifyPluginAsync } from 'fastify';
import type { BiometricStore } from '../../store/biometric-store.js';
import type { ConsentService } from '../../consent/consent-service.js';
import { CONSENT_PURPOSES, consentTextDigest, consentTextVersions, type ConsentPurpose } from '../../consent/consent-texts.js';
import type { SecondFactorKind } from '../../payments/payment-store.js';
import type { WalletService } from '../../payments/wallet-service.js';
import { tenantCaller } from '../authenticate.js';
import { strictObject } from '../json-schemas.js';

const purposes = { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', enum: [...CONSENT_PURPOSES] } } as const;

const consentBody = strictObject(['textVersion', 'purposes', 'jurisdiction', 'deviceId'], {
  textVersion: { type: 'string', minLength: 1, maxLength: 100 },
  purposes,
  jurisdiction: { type: 'string', pattern: '^[A-Z]{2,3}$', description: 'e.g. EU, UK, US' },
  deviceId: { type: 'string', minLength: 1, maxLength: 200, description: 'the kiosk or phone that captured the opt-in' },
});

/**
 * The consumer's rights, exercised through the merchant's enrollment channel (kiosk, app): opt-in
 * with a consent receipt, card tokens and second factors, opt-out with erasure, data export.
 */
export function consentRoutes(store: BiometricStore, consent: ConsentService, wallet: WalletService): FastifyPluginAsync {
  return async (app) => {
    const caller = (request: Parameters<typeof tenantCaller>[0]) => tenantCaller(request, store, 'enroll');

    app.get('/consent-texts', { schema: { tags: ['consent'] } }, async () => ({
      items: consentTextVersions().map((t) => ({
        version: t.version,
        jurisdictions: t.jurisdictions,
        text: t.text,
        sha256: consentTextDigest(t),
      })),
    }));

    app.post<{ Body: { textVersion: string; purposes: ConsentPurpose[]; jurisdiction: string; deviceId: string } }>(
      '/consents',
      { schema: { tags: ['consent'], body: consentBody } },
      async (request, reply) => {
        const { tenantId, actor } = await caller(request);
        return reply.code(201).send(await consent.grant(tenantId, actor, request.body));
      },
    );

    app.get<{ Params: { id: string } }>('/consents/:id', { schema: { tags: ['consent'] } }, async (request) => {
      const { tenantId } = await caller(request);
      return consent.get(tenantId, request.params.id);
    });

    app.post<{ Params: { id: string }; Body: { purposes?: ConsentPurpose[] } }>(
      '/subjects/:id/opt-out',
      { schema: { tags: ['consent'], body: strictObject([], { purposes }) } },
      async (request) => {
        const { tenantId, actor } = await caller(request);
        return consent.optOut(tenantId, actor, request.params.id, request.body?.purposes ?? 'all');
      },
    );

    app.get<{ Params: { id: string } }>('/subjects/:id/export', { schema: { tags: ['consent'] } }, async (request) => {
      const { tenantId } = await caller(request);
      return consent.exportData(tenantId, request.params.id);
    });

    app.post<{ Params: { id: string }; Body: { tokenRef: string } }>(
      '/subjects/:id/tokens',
      {
        schema: {
          tags: ['consent'],
          description: "Links a network token the consumer obtained from the card network's tokenization endpoint; never a card number.",
          body: strictObject(['tokenRef'], { tokenRef: { type: 'string', pattern: '^tok_[A-Za-z0-9_-]{16,64}$' } }),
        },
      },
      async (request, reply) => {
        const { tenantId, actor } = await caller(request);
        await wallet.linkToken(tenantId, actor, request.params.id, request.body.tokenRef);
        return reply.code(204).send();
      },
    );

    app.delete<{ Params: { id: string; tokenRef: string } }>(
      '/subjects/:id/tokens/:tokenRef',
      { schema: { tags: ['consent'] } },
      async (request, reply) => {
        const { tenantId, actor } = await caller(request);
        await wallet.unlinkToken(tenantId, actor, request.params.id, request.params.tokenRef);
        return reply.code(204).send();
      },
    );

    app.put<{ Params: { id: string; kind: SecondFactorKind }; Body: { value: string } }>(
      '/subjects/:id/second-factors/:kind',
      {
        schema: {
          tags: ['consent'],
          params: strictObject(['id', 'kind'], { id: { type: 'string' }, kind: { type: 'string', enum: ['pin', 'phone_last4'] } }),
          body: strictObject(['value'], { value: { type: 'string', pattern: '^[0-9]{4,6}$' } }),
        },
      },
      async (request, reply) => {
        const { tenantId } = await caller(request);
        await wallet.setSecondFactor(tenantId, request.params.id, request.params.kind, request.body.value);
        return reply.code(204).send();
      },
    );
  };
}
