/**
 * The privacy portal's API: a consumer signs in with the privacy code from their consent receipt
 * and gets an httpOnly session cookie scoped to /v1/privacy, plus a CSRF token for changes.
 */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { PRIVACY_SESSION_SECONDS, type PrivacyPortal } from '../../consent/privacy-portal.js';
import { CONSENT_PURPOSES, type ConsentPurpose } from '../../consent/consent-texts.js';
import { clearSessionCookie, PRIVACY_COOKIE, readCookie, setSessionCookie } from '../session-cookie.js';
import { strictObject } from '../json-schemas.js';

const PRIVACY_PATH = '/v1/privacy';

const session = [{ privacySession: [] }];
const csrfHeader = {
  type: 'object',
  properties: { 'x-csrf-token': { type: 'string', maxLength: 200, description: 'the csrfToken the sign-in answered with' } },
} as const;

export function privacyPortalRoutes(portal: PrivacyPortal, options: { readonly secureCookies: boolean }): FastifyPluginAsync {
  return async (app) => {
    const sessionId = (request: FastifyRequest) => readCookie(request, PRIVACY_COOKIE);
    const csrf = (request: FastifyRequest) => request.headers['x-csrf-token'] as string | undefined;

    app.post<{ Body: { code: string } }>(
      '/privacy/sessions',
      {
        schema: {
          tags: ['privacy'],
          security: [],
          body: strictObject(['code'], { code: { type: 'string', minLength: 1, maxLength: 40, description: 'the privacy code on the consent receipt, e.g. ABCD-EFGH-JKLM-NPQR' } }),
        },
      },
      async (request, reply) => {
        // Every failure is the same 401, and counts against the address's failed sign-ins (429 once spent).
        const signedIn = await portal.signIn(request.body.code).catch((error: unknown) => {
          throw request.abuseGuard ? request.abuseGuard.failed(error) : error;
        });
        setSessionCookie(reply, { name: PRIVACY_COOKIE, value: signedIn.sessionId, path: PRIVACY_PATH, maxAgeSeconds: PRIVACY_SESSION_SECONDS, secure: options.secureCookies });
        return reply.code(201).send({ csrfToken: signedIn.csrfToken, expiresAt: signedIn.expiresAt });
      },
    );

    app.get('/privacy/me', { schema: { tags: ['privacy'], security: session } }, async (request) => portal.exportData(sessionId(request)));

    app.get('/privacy/me/receipts', { schema: { tags: ['privacy'], security: session } }, async (request) => portal.receipts(sessionId(request)));

    app.post<{ Body: { purposes?: ConsentPurpose[] } | undefined }>(
      '/privacy/me/opt-out',
      {
        schema: {
          tags: ['privacy'],
          security: session,
          headers: csrfHeader,
          body: {
            type: 'object',
            additionalProperties: false,
            properties: { purposes: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', enum: [...CONSENT_PURPOSES] } } },
          },
        },
      },
      async (request) => portal.optOut(sessionId(request), csrf(request), request.body?.purposes ?? 'all'),
    );

    app.delete('/privacy/sessions/current', { schema: { tags: ['privacy'], security: session, headers: csrfHeader } }, async (request, reply) => {
      await portal.signOut(sessionId(request), csrf(request));
      clearSessionCookie(reply, PRIVACY_COOKIE, PRIVACY_PATH, options.secureCookies);
      return reply.code(204).send();
    });
  };
}
