import type { FastifyPluginAsync } from 'fastify';
import type { BiometricStore } from '../../store/biometric-store.js';
import type { RiskPolicies } from '../../checkout/risk-policies.js';
import type { RiskSettings } from '../../checkout/risk-policy.js';
import { tenantCaller } from '../authenticate.js';

const riskPolicyBody = {
  type: 'object',
  additionalProperties: false,
  description: 'Overrides of the platform defaults; omitted settings follow the defaults. Bounds are checked by the service.',
  properties: {
    riskBudget: { type: 'number', description: 'largest expected false-positive identifications per face-only checkout' },
    faceOnlyAmountLimit: { type: 'integer', description: 'minor units; above it a second factor is required' },
    maxSubjectFailures: { type: 'integer' },
    maxTerminalFailures: { type: 'integer' },
    lockoutSeconds: { type: 'integer' },
    targetFmr: { type: 'number', description: 'the calibrated target FMR whose threshold decides a match at checkout' },
    allowSessionlessLiveness: {
      type: 'boolean',
      description: 'approve on the face alone without a liveness session (a photo, or a burst without a challenge); default false',
    },
  },
} as const;

/** A merchant's own checkout risk policy, within the platform's bounds. */
export function riskPolicyRoutes(store: BiometricStore, policies: RiskPolicies): FastifyPluginAsync {
  return async (app) => {
    app.get('/risk-policy', { schema: { tags: ['checkout'] } }, async (request) => {
      const { tenantId } = await tenantCaller(request, store, 'admin');
      return policies.forTenant(tenantId);
    });

    app.put<{ Body: Partial<RiskSettings> }>('/risk-policy', { schema: { tags: ['checkout'], body: riskPolicyBody } }, async (request) => {
      const { tenantId, actor } = await tenantCaller(request, store, 'admin');
      return policies.set(tenantId, request.body, actor);
    });
  };
}
