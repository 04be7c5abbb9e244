import type { FastifyInstance, FastifyRequest } from 'fastify';
import { RateLimited } from '../errors/domain-errors.js';
import { FixedWindowCounter } from './fixed-window-counter.js';
import { PRIVACY_COOKIE, readCookie } from './session-cookie.js';
import { CONSOLE_COOKIE } from './authenticate.js';

/** Requests per minute; see docs/security.md. */
export interface AbuseLimitSettings {
  /** Per verified principal: an API key after its secret matched, a terminal after its signature held. */
  readonly principalPerMinute: number;
  /** Per client address, for requests that carry no credential or never reach a verified principal. */
  readonly addressPerMinute: number;
  /** Failed authentications per client address. */
  readonly failedAuthPerMinute: number;
}

/**
 * What a route's authentication tells the limiter. Buckets are chosen only from what was verified:
 * a key id or terminal id that an attacker merely wrote in a header chooses nothing, so a victim's
 * key cannot be pushed into 429 with bogus secrets, and made-up key ids do not open new buckets.
 */
export interface AbuseGuard {
  /** The principal was verified; counts against its own bucket (throws RateLimited when spent). */
  verified(principal: string): void;
  /** Authentication failed; counts against the address. Returns the error to throw: RateLimited once over. */
  failed(error: unknown): unknown;
}

declare module 'fastify' {
  interface FastifyRequest {
    abuseGuard?: AbuseGuard;
  }
}

const WINDOW_MS = 60_000;

function carriesCredentials(request: FastifyRequest): boolean {
  return (
    request.headers.authorization !== undefined ||
    request.headers.signature !== undefined ||
    readCookie(request, CONSOLE_COOKIE) !== undefined ||
    readCookie(request, PRIVACY_COOKIE) !== undefined
  );
}

function rateLimited(counter: FixedWindowCounter, what: string): RateLimited {
  return new RateLimited(`rate limit of ${counter.max} ${what} per minute exceeded; retry after ${counter.retryAfterSeconds()} s`, {
    retryAfterSeconds: counter.retryAfterSeconds(),
  });
}

/**
 * Per-principal, per-address and failed-authentication limits (one process; each node counts its own).
 * A request without credentials is charged to its address before anything runs. A request with
 * credentials is judged by its principal once verified, so a correctly signed terminal behind a NAT
 * is not blocked by junk from the same address; if it fails authentication it counts as a failure
 * of the address, and once those are spent the answer is 429, not 401. Credentialed requests that
 * end before authentication (a 400 on the body, a 404) are charged to the address afterwards.
 */
export function registerAbuseLimits(app: FastifyInstance, settings: AbuseLimitSettings, clock: () => number = Date.now): void {
  const principals = new FixedWindowCounter(settings.principalPerMinute, WINDOW_MS, clock);
  const addresses = new FixedWindowCounter(settings.addressPerMinute, WINDOW_MS, clock);
  const failures = new FixedWindowCounter(settings.failedAuthPerMinute, WINDOW_MS, clock);
  const settled = new WeakSet<FastifyRequest>();

  app.addHook('onRequest', async (request, reply) => {
    const address = request.ip;
    request.abuseGuard = {
      verified: (principal) => {
        settled.add(request);
        if (!principals.take(principal)) throw rateLimited(principals, 'requests');
      },
      failed: (error) => {
        settled.add(request);
        return failures.take(address) ? error : rateLimited(failures, 'failed authentications');
      },
    };
    if (!carriesCredentials(request)) {
      settled.add(request);
      if (!addresses.take(address)) {
        reply.header('retry-after', String(addresses.retryAfterSeconds()));
        throw rateLimited(addresses, 'unauthenticated requests');
      }
    }
  });
  app.addHook('onResponse', async (request) => {
    if (!settled.has(request)) addresses.take(request.ip);
  });
  app.addHook('onSend', async (request, reply, payload) => {
    if (reply.statusCode === 429 && !reply.hasHeader('retry-after')) {
      reply.header('retry-after', String(Math.max(principals.retryAfterSeconds(), 1)));
    }
    return payload;
  });
}
