import type { FastifyRequest } from 'fastify';

/**
 * Charges a terminal's requests to the terminal only after its signature held; a signature that
 * fails counts against the client address (see abuse-limits.ts).
 */
export function limitedTerminalAuth<T extends { readonly terminal: { readonly id: string } }>(
  verify: (request: FastifyRequest) => Promise<T>,
): (request: FastifyRequest) => Promise<T> {
  return async (request) => {
    let verified: T;
    try {
      verified = await verify(request);
    } catch (error) {
      throw request.abuseGuard ? request.abuseGuard.failed(error) : error;
    }
    request.abuseGuard?.verified(`terminal:${verified.terminal.id}`);
    return verified;
  };
}
