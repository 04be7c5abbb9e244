import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { CheckoutProbe, CheckoutService } from '../../checkout/checkout-service.js';
import type { SecondFactorKind } from '../../payments/payment-store.js';
import type { OrderItem } from '../../personalization/order-history.js';
import type { SigningKeys } from '../../signing/signing-keys.js';
import { registerRawBody } from '../fastify-terminal-auth.js';
import { InvalidArgument } from '../../errors/domain-errors.js';
import { requireTerminalCapability } from '../../devices/terminal-capabilities.js';

/** A verified terminal request: who signed it, and the nonce the assertion will carry. */
export interface SignedTerminal {
  readonly terminal: { readonly id: string; readonly tenantId: string; readonly kind: string };
  readonly nonce: string;
}

export type TerminalAuthentication = (request: FastifyRequest) => Promise<SignedTerminal>;

const base64 = { type: 'string', contentEncoding: 'base64', minLength: 1 } as const;

const checkoutBody = {
  type: 'object',
  additionalProperties: false,
  required: ['amount', 'currency', 'merchantRef'],
  properties: {
    amount: { type: 'integer', minimum: 1, maximum: 100_000_000, description: 'minor units (cents)' },
    currency: { type: 'string', pattern: '^[A-Z]{3}$' },
    merchantRef: { type: 'string', minLength: 1, maxLength: 200 },
    image: { ...base64, description: 'one photo (single-frame PAD)' },
    frames: { type: 'array', minItems: 3, maxItems: 15, items: base64, description: 'a burst for blink / head-turn liveness' },
    sessionFrames: {
      type: 'array',
      minItems: 3,
      maxItems: 15,
      items: { type: 'integer', minimum: 0, maximum: 1000 },
      description:
        'the burst as indices (ascending) of the frames streamed to the liveness session (POST /v1/liveness-sessions/{id}/frames), instead of "frames"; judged exactly as they would be',
    },
    template: { ...base64, description: 'a template computed on the device (needs a second factor)' },
    subjectId: { type: 'string', minLength: 1, maxLength: 100, description: 'the consumer presented their id: 1:1 instead of 1:N' },
    livenessSessionId: {
      type: 'string',
      minLength: 1,
      maxLength: 100,
      description: 'the liveness session (POST /v1/liveness-sessions) whose challenge the burst of "frames" performs',
    },
    secondFactor: {
      type: 'object',
      additionalProperties: false,
      required: ['kind', 'value'],
      properties: { kind: { type: 'string', enum: ['pin', 'phone_last4'] }, value: { type: 'string', pattern: '^[0-9]{4,6}$' } },
    },
    basket: {
      type: 'array',
      maxItems: 100,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['sku', 'name', 'quantity'],
        properties: {
          sku: { type: 'string', minLength: 1, maxLength: 100 },
          name: { type: 'string', minLength: 1, maxLength: 200 },
          quantity: { type: 'integer', minimum: 1, maximum: 1000 },
        },
      },
    },
  },
} as const;

interface CheckoutBody {
  amount: number;
  currency: string;
  merchantRef: string;
  image?: string;
  frames?: string[];
  sessionFrames?: number[];
  template?: string;
  subjectId?: string;
  secondFactor?: { kind: SecondFactorKind; value: string };
  basket?: OrderItem[];
  livenessSessionId?: string;
}

function probeOf(body: CheckoutBody): CheckoutProbe {
  const given = [body.image, body.frames, body.sessionFrames, body.template].filter((x) => x !== undefined).length;
  if (given !== 1) throw new InvalidArgument('send exactly one of "image", "frames", "sessionFrames" or "template"');
  const bytes = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'base64'));
  if (body.image !== undefined) return { image: bytes(body.image) };
  if (body.frames !== undefined) return { frames: body.frames.map(bytes) };
  if (body.sessionFrames !== undefined) return { sessionFrames: body.sessionFrames };
  return { template: bytes(body.template!) };
}

/** Checkout is called by signed terminals only; the JWKS is public so any network can verify assertions. */
export function checkoutRoutes(checkout: CheckoutService, authenticateTerminal: TerminalAuthentication): FastifyPluginAsync {
  return async (app) => {
    registerRawBody(app);
    app.post<{ Body: CheckoutBody }>(
      '/checkout',
      { schema: { tags: ['checkout'], body: checkoutBody, security: [{ terminalSignature: [] }] } },
      async (request) => {
        const { terminal, nonce } = await authenticateTerminal(request);
        requireTerminalCapability(terminal, 'pay');
        const body = request.body;
        return checkout.checkout({
          tenantId: terminal.tenantId,
          terminalId: terminal.id,
          nonce,
          amount: body.amount,
          currency: body.currency,
          merchantRef: body.merchantRef,
          probe: probeOf(body),
          ...(body.subjectId ? { subjectId: body.subjectId } : {}),
          ...(body.secondFactor ? { secondFactor: body.secondFactor } : {}),
          ...(body.basket ? { basket: body.basket } : {}),
          ...(body.livenessSessionId !== undefined ? { livenessSessionId: body.livenessSessionId } : {}),
        });
      },
    );
  };
}

export function jwksRoutes(keys: SigningKeys): FastifyPluginAsync {
  return async (app) => {
    app.get('/.well-known/jwks.json', { schema: { tags: ['checkout'], security: [] } }, async (_request, reply) =>
      reply.header('cache-control', 'public, max-age=300').send(await keys.jwks()),
    );
  };
}
