import type { FastifyInstance, FastifyRequest } from 'fastify';
import { InvalidArgument } from '../errors/domain-errors.js';

/** Query parameter names that carry credentials in other APIs; facekey takes credentials in headers only. */
const CREDENTIAL_PARAMETERS = /^(api[_-]?key|apikey|key|token|access[_-]?token|auth|authorization|bearer|secret|password|signature|sig)$/i;
/** An API key's shape, wherever it appears in the query. */
const API_KEY_VALUE = /fk_[A-Za-z0-9_-]{8,}/;

/** The URL as it may be logged: path only, the query replaced by a marker. */
export function redactQuery(url: string): string {
  const at = url.indexOf('?');
  return at === -1 ? url : `${url.slice(0, at)}?[redacted]`;
}

/**
 * A credential in a URL ends up in access logs, proxies and browser history, so it is refused
 * (400) before any route runs, even where it would have been ignored: the caller learns at once.
 */
export function refuseQueryCredentials(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    const at = request.url.indexOf('?');
    if (at === -1) return;
    const query = new URLSearchParams(request.url.slice(at + 1));
    for (const [name, value] of query) {
      if (CREDENTIAL_PARAMETERS.test(name) || API_KEY_VALUE.test(value)) {
        throw new InvalidArgument('credentials are not accepted in the query string: send them in the Authorization or Signature header');
      }
    }
  });
}

/** pino serializer for Fastify's request log line: no query string, no headers. */
export function redactedRequestSerializer(request: FastifyRequest): { method: string; url: string; hostname: string; remoteAddress: string } {
  return { method: request.method, url: redactQuery(request.url), hostname: request.hostname, remoteAddress: request.ip };
}

/** Fastify logger options with the request serializer above; `false` stays `false`. */
export function hygienicLogger(
  logger: boolean | { level: string; stream?: { write(line: string): void } },
): false | { level: string; stream?: { write(line: string): void }; serializers: { req: typeof redactedRequestSerializer } } {
  if (logger === false) return false;
  const base = logger === true ? { level: 'info' } : logger;
  return { ...base, serializers: { req: redactedRequestSerializer } };
}
