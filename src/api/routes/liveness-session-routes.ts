/**
 * POST /v1/liveness-sessions: a signed terminal asks for a challenge ("turn left, then blink")
 * before it records the burst it will send with its checkout. The session is bound to that
 * terminal, single use and short-lived (devices/liveness-sessions.ts).
 */
import type { FastifyPluginAsync } from 'fastify';
import { CHALLENGE_ACTIONS } from '../../pad/challenge-evaluation.js';
import type { LivenessSessions } from '../../devices/liveness-sessions.js';
import { terminalMay } from '../../devices/terminal-capabilities.js';
import type { TerminalKind } from '../../devices/terminal-registry.js';
import { Forbidden } from '../../errors/domain-errors.js';
import { registerRawBody } from '../fastify-terminal-auth.js';
import type { TerminalAuthentication } from './checkout-routes.js';

const sessionResponse = {
  type: 'object',
  required: ['sessionId', 'challenge', 'expiresAt', 'purpose'],
  properties: {
    sessionId: { type: 'string', description: 'send it as "livenessSessionId" with the burst that answers the challenge' },
    challenge: {
      type: 'array',
      minItems: 1,
      items: { type: 'string', enum: [...CHALLENGE_ACTIONS] },
      description: "actions the shopper performs in this order, in the shopper's own directions (turn_left: to their left)",
    },
    expiresAt: { type: 'string', format: 'date-time' },
    purpose: {
      type: 'string',
      enum: ['checkout', 'enrollment'],
      description: "what the session answers, from the terminal's kind: a checkout's challenge may be shorter (FACEKEY_LIVENESS_CHECKOUT_STEPS)",
    },
  },
} as const;

export function livenessSessionRoutes(sessions: LivenessSessions, authenticateTerminal: TerminalAuthentication): FastifyPluginAsync {
  return async (app) => {
    registerRawBody(app);
    app.post(
      '/liveness-sessions',
      {
        schema: {
          tags: ['checkout'],
          body: { type: 'object', additionalProperties: false, properties: {} },
          security: [{ terminalSignature: [] }],
          response: { 201: sessionResponse },
        },
      },
      async (request, reply) => {
        const { terminal } = await authenticateTerminal(request);
        // A device that can neither pay nor enroll has no burst to send.
        const kind = terminal.kind as TerminalKind;
        if (!terminalMay(kind, 'pay') && !terminalMay(kind, 'enroll'))
          throw new Forbidden(`a ${terminal.kind} has no use for a liveness session`);
        // A device that may enroll gets the enrollment challenge, even if it may also pay: the longer one.
        return reply.code(201).send(await sessions.start(terminal, terminalMay(kind, 'enroll') ? 'enrollment' : 'checkout'));
      },
    );
  };
}
