import Fastify, { type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import rateLimit from '@fastify/rate-limit';
import { parseApiKey } from '../auth/api-key.js';
import { RateLimited } from '../errors/domain-errors.js';
import { Registry, collectDefaultMetrics, Histogram } from 'prom-client';
import { answerWithProblems, STRICT_AJV } from './problem-details.js';
import { healthRoutes, type Readiness } from './routes/health-routes.js';
import { tenantRoutes } from './routes/tenant-routes.js';
import { subjectRoutes } from './routes/subject-routes.js';
import { biometricRoutes } from './routes/biometric-routes.js';
import { consentRoutes } from './routes/consent-routes.js';
import { riskPolicyRoutes } from './routes/risk-policy-routes.js';
import { checkoutRoutes, jwksRoutes } from './routes/checkout-routes.js';
import { terminalRoutes } from '../devices/terminal-routes.js';
import { signedTerminalAuthenticator } from '../devices/fastify-terminal-auth.js';
import type { Platform } from '../server/compose-platform.js';
import type { Fleet } from '../fleet/compose-fleet.js';
import { fleetRoutes } from './routes/fleet-routes.js';

export interface AppDependencies {
  /** Every domain service; see composePlatform. */
  readonly platform: Platform;
  readonly readiness: Readiness;
  /** Fastify logger options; `false` in tests. */
  readonly logger?: boolean | { level: string };
  readonly bodyLimit?: number;
  /** Requests per minute per API key (per client address without a key). */
  readonly rateLimitPerMinute?: number;
  /** The device fleet, when the service runs one (docs/fleet.md). */
  readonly fleet?: Fleet;
}

/**
 * The HTTP service: thin routes (validate, call one service, map the result) and one error mapper.
 * Logs carry method, route, status and timing only: request and response bodies — images,
 * templates, keys — never reach the log.
 */
export async function buildApp(deps: AppDependencies): Promise<FastifyInstance> {
  const app = Fastify({
    logger: deps.logger ?? false,
    bodyLimit: deps.bodyLimit ?? 12 * 1024 * 1024,
    ajv: STRICT_AJV,
  });
  const metrics = new Registry();
  collectDefaultMetrics({ register: metrics });
  const latency = new Histogram({
    name: 'facekey_http_request_seconds',
    help: 'HTTP request latency by route and status',
    labelNames: ['method', 'route', 'status'],
    registers: [metrics],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  });
  app.addHook('onResponse', async (request, reply) => {
    latency.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unknown', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });

  await app.register(rateLimit, {
    max: deps.rateLimitPerMinute ?? 1200,
    timeWindow: 60_000,
    // Per key, not per address: one merchant's terminals share a NAT, and a leaked key is contained.
    keyGenerator: (request) => parseApiKey((request.headers.authorization ?? '').replace(/^Bearer /, ''))?.keyId ?? request.ip,
    errorResponseBuilder: (_request, context) =>
      new RateLimited(`rate limit of ${context.max} requests per minute exceeded; retry after ${context.after}`),
  });

  await app.register(swagger, {
    openapi: {
      info: {
        title: 'facekey',
        version: '0.2.0',
        description: 'Pay by face: tenants, consent, subjects, enrollment, 1:1 and 1:N, signed terminals, checkout with signed assertions.',
      },
      components: {
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer', description: 'fk_<keyId>_<secret>' },
          terminalSignature: {
            type: 'apiKey',
            in: 'header',
            name: 'Signature',
            description: "RFC 9421 HTTP Message Signature by the terminal's Ed25519 key (Signature-Input, Signature, Content-Digest)",
          },
        },
      },
      security: [{ apiKey: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  answerWithProblems(app);

  await app.register(healthRoutes(deps.readiness));
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => reply.type(metrics.contentType).send(await metrics.metrics()));
  const { store, biometrics, consent, checkout, terminals, nonces, signingKeys, riskPolicies } = deps.platform;
  await app.register(jwksRoutes(signingKeys));
  await app.register(tenantRoutes(store), { prefix: '/v1' });
  await app.register(subjectRoutes(store, consent), { prefix: '/v1' });
  await app.register(consentRoutes(store, consent), { prefix: '/v1' });
  await app.register(biometricRoutes(store, biometrics), { prefix: '/v1' });
  await app.register(terminalRoutes(store, terminals), { prefix: '/v1' });
  await app.register(riskPolicyRoutes(store, riskPolicies), { prefix: '/v1' });
  await app.register(checkoutRoutes(checkout, signedTerminalAuthenticator(terminals, nonces)), { prefix: '/v1' });
  if (deps.fleet) await app.register(fleetRoutes(store, deps.fleet), { prefix: '/v1' });
  return app;
}
