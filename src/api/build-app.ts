import Fastify, { type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { Registry, collectDefaultMetrics, Histogram } from 'prom-client';
import { answerWithProblems, STRICT_AJV } from './problem-details.js';
import { healthRoutes, type Readiness } from './routes/health-routes.js';
import { tenantRoutes } from './routes/tenant-routes.js';
import { subjectRoutes } from './routes/subject-routes.js';
import { biometricRoutes } from './routes/biometric-routes.js';
import { consentRoutes } from './routes/consent-routes.js';
import { riskPolicyRoutes } from './routes/risk-policy-routes.js';
import { checkoutRoutes, jwksRoutes } from './routes/checkout-routes.js';
import { terminalRoutes } from './routes/terminal-routes.js';
import { engineRoutes } from './routes/engine-routes.js';
import { livenessSessionRoutes } from './routes/liveness-session-routes.js';
import { sessionFrameRoutes } from './routes/session-frame-routes.js';
import { signedTerminalAuthenticator } from './fastify-terminal-auth.js';
import type { ApiPlatform } from './api-platform.js';
import { DEFAULT_ABUSE_LIMITS, SERVICE_DEFAULTS } from '../config/service-config.js';
import { limitedTerminalAuth } from './limited-terminal-auth.js';
import { registerAbuseLimits, type AbuseLimitSettings } from './abuse-limits.js';
import { STRICT_SCHEMA_CONTROLLER } from './strict-validation.js';
import { hygienicLogger, refuseQueryCredentials } from './query-hygiene.js';
import { metricsGate } from './metrics-access.js';
import { PROBLEM_CLIENT_ERRORS } from './client-error-problems.js';
import { finishOpenApiDocument } from './openapi-document.js';
import { facekeyPackageVersion } from '../runtime/package-versions.js';
import type { Fleet } from '../fleet/compose-fleet.js';
import { fleetRoutes } from './routes/fleet-routes.js';
import { kioskEnrollmentRoutes } from './routes/kiosk-enrollment-routes.js';
import { privacyPortalRoutes } from './routes/privacy-portal-routes.js';
import { consoleRoutes } from './routes/console-routes.js';
import { webConfigRoutes } from './routes/web-config-routes.js';
import { webModelsBase, webModelsVersion, webRoutes } from './web-routes.js';
import { webBuildDir, webTranslationsDir } from '../runtime/package-paths.js';
import { offeredLanguages } from './offered-languages.js';

export interface AppDependencies {
  /** Every domain service the API serves; composePlatform builds it. */
  readonly platform: ApiPlatform;
  readonly readiness: Readiness;
  /** Fastify logger options; `false` in tests. */
  readonly logger?: boolean | { level: string; stream?: { write(line: string): void } };
  /** Bearer token for GET /metrics; without it /metrics is closed (404). */
  readonly metricsToken?: string;
  readonly bodyLimit?: number;
  /** Requests per minute per verified API key or terminal. */
  readonly rateLimitPerMinute?: number;
  /** Per-address and failed-authentication limits; defaults in DEFAULT_ABUSE_LIMITS. */
  readonly abuseLimits?: Partial<AbuseLimitSettings>;
  /** The device fleet, when the service runs one (docs/fleet.md). */
  readonly fleet?: Fleet;
  /** The browser apps: where their build is (default dist/web under the package root) and the card network's URL. */
  readonly web?: {
    readonly root?: string;
    readonly networkUrl?: string | null;
    /** Languages offered; default: one per `web/i18n/<language>.json`, else English. */
    readonly languages?: readonly string[];
  };
}

/**
 * The HTTP service: thin routes (validate, call one service, map the result) and one error mapper.
 * Logs carry method, route, status and timing only: request and response bodies — images,
 * templates, keys — never reach the log.
 */
export async function buildApp(deps: AppDependencies): Promise<FastifyInstance> {
  const app = Fastify({
    logger: hygienicLogger(deps.logger ?? false),
    bodyLimit: deps.bodyLimit ?? SERVICE_DEFAULTS.bodyLimitBytes,
    ajv: STRICT_AJV,
    schemaController: STRICT_SCHEMA_CONTROLLER,
    ...PROBLEM_CLIENT_ERRORS,
  });
  refuseQueryCredentials(app);
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

  registerAbuseLimits(app, {
    ...DEFAULT_ABUSE_LIMITS,
    ...(deps.rateLimitPerMinute ? { principalPerMinute: deps.rateLimitPerMinute } : {}),
    ...deps.abuseLimits,
  });

  await app.register(swagger, {
    openapi: {
      info: {
        title: 'facekey',
        version: facekeyPackageVersion(),
        description: 'Pay by face: tenants, consent, subjects, enrollment, 1:1 and 1:N, signed terminals, checkout with signed assertions.',
      },
      components: {
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer', description: 'fk_<keyId>_<secret>' },
          consoleSession: {
            type: 'apiKey',
            in: 'cookie',
            name: 'fk_console',
            description:
              "The merchant console's session (POST /v1/console/sessions), accepted wherever an API key is; other methods than GET and HEAD also need its token in x-csrf-token",
          },
          terminalSignature: {
            type: 'apiKey',
            in: 'header',
            name: 'Signature',
            description: "RFC 9421 HTTP Message Signature by the terminal's Ed25519 key (Signature-Input, Signature, Content-Digest)",
          },
          privacySession: {
            type: 'apiKey',
            in: 'cookie',
            name: 'fk_privacy',
            description: 'the privacy portal session set by POST /v1/privacy/sessions; changes also need header x-csrf-token',
          },
        },
      },
      security: [{ apiKey: [] }, { consoleSession: [] }],
    },
    transformObject: (document) => ('openapiObject' in document ? finishOpenApiDocument(document.openapiObject) : document.swaggerObject),
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  answerWithProblems(app);

  await app.register(healthRoutes(deps.readiness));
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  const openMetrics = metricsGate(deps.metricsToken);
  app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
    openMetrics(request);
    return reply.type(metrics.contentType).send(await metrics.metrics());
  });
  const { store, biometrics, consent, wallet, checkout, terminals, nonces, signingKeys, riskPolicies, audit, engines, tenantEngines } =
    deps.platform;
  // Any tenant route may then be called with the console's cookie instead of an API key (authenticate.ts).
  app.addHook('onRequest', async (request) => {
    request.consoleSessions = deps.platform.consoleSessions;
  });
  await app.register(jwksRoutes(signingKeys));
  await app.register(tenantRoutes(store, audit), { prefix: '/v1' });
  await app.register(subjectRoutes(store, consent), { prefix: '/v1' });
  await app.register(consentRoutes(store, consent, wallet), { prefix: '/v1' });
  await app.register(biometricRoutes(store, biometrics), { prefix: '/v1' });
  await app.register(terminalRoutes(store, terminals), { prefix: '/v1' });
  await app.register(riskPolicyRoutes(store, riskPolicies), { prefix: '/v1' });
  await app.register(engineRoutes(store, engines, tenantEngines, biometrics), { prefix: '/v1' });
  const terminalAuth = limitedTerminalAuth(signedTerminalAuthenticator(terminals, nonces));
  await app.register(checkoutRoutes(checkout, terminalAuth), { prefix: '/v1' });
  await app.register(livenessSessionRoutes(deps.platform.livenessSessions, terminalAuth), { prefix: '/v1' });
  await app.register(sessionFrameRoutes(deps.platform.sessionFrames, terminalAuth), { prefix: '/v1' });
  await app.register(kioskEnrollmentRoutes(deps.platform.kioskEnrollment, terminalAuth), { prefix: '/v1' });
  // Session cookies (console, privacy portal) never travel in clear when the service is reached over https.
  const secureCookies = deps.platform.publicUrl.startsWith('https:');
  await app.register(privacyPortalRoutes(deps.platform.privacyPortal, { secureCookies }), {
    prefix: '/v1',
  });
  if (deps.fleet) {
    await app.register(fleetRoutes(store, deps.fleet), { prefix: '/v1' });
    deps.fleet.registerMetrics(metrics);
  }
  await app.register(
    consoleRoutes({
      store,
      sessions: deps.platform.consoleSessions,
      overviews: deps.platform.overviews,
      engines,
      tenantEngines,
      auditChain: audit,
      secureCookies,
    }),
    { prefix: '/v1' },
  );
  const networkUrl = deps.web?.networkUrl ?? null;
  const languages = deps.web?.languages ?? offeredLanguages(webTranslationsDir());
  const webRoot = deps.web?.root ?? webBuildDir();
  const modelsBase = webModelsBase(webModelsVersion(webRoot));
  await app.register(
    webConfigRoutes(() => ({
      networkUrl,
      engine: { id: tenantEngines.platformDefault.id, version: tenantEngines.platformDefault.version },
      currency: SERVICE_DEFAULTS.currency,
      languages,
      challengeSteps: deps.platform.livenessSessions.challengeSteps,
      modelsBase,
    })),
    { prefix: '/v1' },
  );
  await app.register(webRoutes({ root: webRoot, networkUrl }));
  return app;
}
