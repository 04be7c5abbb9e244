import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { NotFound, Unauthorized } from '../errors/domain-errors.js';

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

/**
 * /metrics is closed unless FACEKEY_METRICS_TOKEN is set (then: `Authorization: Bearer <token>`).
 * Closed, it answers 404 like any unknown route; a wrong token is a failed authentication.
 */
export function metricsGate(token: string | undefined): (request: FastifyRequest) => void {
  const expected = token ? digest(token) : undefined;
  return (request) => {
    if (!expected) throw new NotFound(`no route ${request.method} ${request.url}`);
    const header = request.headers.authorization ?? '';
    const given = header.startsWith('Bearer ') ? header.slice(7).trim() : '';
    if (!timingSafeEqual(digest(given), expected)) {
      const refused = new Unauthorized('metrics need the metrics bearer token');
      throw request.abuseGuard ? request.abuseGuard.failed(refused) : refused;
    }
    request.abuseGuard?.verified('metrics');
  };
}
