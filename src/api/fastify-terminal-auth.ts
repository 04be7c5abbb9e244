/**
 * Fastify glue for terminal signatures. The body digest must be computed over the bytes as
 * received, so routes that accept terminal requests need a JSON parser that keeps them; it is
 * registered per plugin scope (content-type parsers are encapsulated), leaving other routes alone.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { NonceClaims } from '../devices/nonce-store.js';
import type { Terminal, TerminalLookup } from '../devices/terminal-registry.js';
import { verifyTerminalSignature, type VerifiedTerminalRequest } from '../devices/verify-terminal-request.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The exact JSON body bytes, set by registerRawBody's parser. */
    rawBody?: Buffer;
  }
}

/**
 * Replaces this scope's JSON parser with one that keeps the bytes on `request.rawBody` and parses
 * them with Fastify's own parser (secure-json-parse: `__proto__` and `constructor.prototype` keys
 * are refused; invalid or empty JSON fails with Fastify's errors, which toProblem maps to 400).
 */
export function registerRawBody(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    request.rawBody = body as Buffer;
    parseJson(request, (body as Buffer).toString('utf8'), done);
  });
}

export interface TerminalAuthOptions {
  readonly maxSkewSeconds?: number;
  readonly maxLifetimeSeconds?: number;
  readonly clock?: () => Date;
}

/** Verifies the request's terminal signature and resolves to the terminal that made it. */
export function terminalAuthenticator(
  terminals: TerminalLookup,
  nonces: NonceClaims,
  options: TerminalAuthOptions = {},
): (request: FastifyRequest) => Promise<Terminal> {
  const authenticate = signedTerminalAuthenticator(terminals, nonces, options);
  return async (request) => (await authenticate(request)).terminal;
}

/** terminalAuthenticator, also resolving to the signature's nonce and times (e.g. to bind the nonce into an assertion). */
export function signedTerminalAuthenticator(
  terminals: TerminalLookup,
  nonces: NonceClaims,
  { clock = () => new Date(), ...limits }: TerminalAuthOptions = {},
): (request: FastifyRequest) => Promise<VerifiedTerminalRequest> {
  return (request) => {
    // The request target as the terminal sent and signed it, before any rewriteUrl.
    const target = request.originalUrl;
    const queryAt = target.indexOf('?');
    return verifyTerminalSignature(
      {
        method: request.method,
        authority: request.host,
        path: queryAt === -1 ? target : target.slice(0, queryAt),
        query: queryAt === -1 ? '' : target.slice(queryAt),
        headers: request.headers,
        rawBody: request.rawBody,
      },
      { terminals, nonces, now: clock(), ...limits },
    );
  };
}
