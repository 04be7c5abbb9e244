/**
 * POST /v1/checkout as a terminal sees it: the request with photo bytes (the client base64-encodes
 * them) and the response as JSON. checkout-types.test.ts checks these against the service's own types.
 */
import { FacekeyClientError } from './facekey-client-error.js';
import type { OrderItem } from '../personalization/order-history.js';
import type { CheckoutReason } from '../checkout/risk-policy.js';
import type { SecondFactorKind } from '../payments/payment-store.js';
import type { LivenessEvidence } from '../pad/liveness-evidence.js';

// The lists the service decides with are the lists the SDK names: type-only imports from modules
// with no heavy dependencies, so the SDK's declarations follow the service's and stay light.
export type { SecondFactorKind, CheckoutReason };

export type BasketItem = OrderItem;

/**
 * The order fields a terminal sends. Written out rather than derived from the service's
 * CheckoutRequest, whose declarations reach the face pipeline's libraries; checkout-types.test.ts
 * checks that every field is one the service accepts.
 */
export interface CheckoutOrder {
  /** Minor units (cents), 1 … 100,000,000. */
  readonly amount: number;
  /** ISO 4217, upper case. */
  readonly currency: string;
  readonly merchantRef: string;
  /** The consumer presented their id: 1:1 instead of 1:N. */
  readonly subjectId?: string;
  readonly secondFactor?: { readonly kind: SecondFactorKind; readonly value: string };
  /** Kept only for consumers who granted `personalization`. */
  readonly basket?: readonly BasketItem[];
  /** The liveness session (POST /v1/liveness-sessions) whose challenge the burst of `frames` performs. */
  readonly livenessSessionId?: string;
}

/** Exactly one probe: a photo (single-frame PAD), a burst of 3–15 frames (blink / head turn), or a device template. */
export type CheckoutProbe =
  | { readonly image: Uint8Array; readonly frames?: never; readonly template?: never }
  | { readonly frames: readonly Uint8Array[]; readonly image?: never; readonly template?: never }
  | { readonly template: Uint8Array; readonly image?: never; readonly frames?: never };

export type CheckoutRequest = CheckoutOrder & CheckoutProbe;

/** The JSON body on the wire: the order fields, and the probe base64-encoded. */
export type CheckoutRequestBody = CheckoutOrder & {
  readonly image?: string;
  readonly frames?: readonly string[];
  readonly template?: string;
};

export type CheckoutOutcome = 'approved' | 'declined' | 'second_factor_required';

export interface CheckoutEvidence {
  readonly engine: { readonly id: string; readonly version: string };
  /** null when no face was compared (e.g. the burst was not live). */
  readonly score: number | null;
  readonly threshold: number;
  readonly targetFmr: number;
  readonly thresholdMethod: string;
  /** How liveness was judged, and the liveness session's challenge step by step (the same type checkout answers with). */
  readonly liveness: LivenessEvidence;
  readonly risk: {
    readonly templatesSearched: number;
    readonly expectedFalseMatches: number;
    readonly budget: number;
    readonly candidates: number;
  };
  /** Quality and presentation-attack scores of the captured face. */
  readonly capture?: { readonly quality?: object; readonly presentation?: object };
}

export interface CheckoutResponse {
  readonly outcome: CheckoutOutcome;
  readonly reasons: readonly CheckoutReason[];
  /** null when the request was refused before any face was compared (e.g. a locked terminal). */
  readonly evidence: CheckoutEvidence | null;
  /** Only when approved: the single-use ES256 JWS a card network verifies with facekey's JWKS. */
  readonly assertion?: { readonly jws: string; readonly jti: string; readonly expiresAt: string };
  readonly subjectId?: string;
  /** Only for consumers who granted `personalization`. */
  readonly personalization?: {
    readonly lastOrder: { readonly at: string; readonly items: readonly BasketItem[] } | null;
    readonly favourites: ReadonlyArray<{ readonly sku: string; readonly name: string; readonly times: number }>;
  };
}

/** POST /v1/liveness-sessions: the actions to ask of the shopper, in order, and until when the session holds. */
export interface LivenessSessionResponse {
  readonly sessionId: string;
  readonly challenge: ReadonlyArray<'turn_left' | 'turn_right' | 'look_up' | 'look_down' | 'blink'>;
  readonly expiresAt: string;
  /** From the terminal's kind: a checkout's challenge may be shorter than an enrollment's. */
  readonly purpose: 'checkout' | 'enrollment';
}

export function checkoutRequestBody(request: CheckoutRequest): CheckoutRequestBody {
  const { image, frames, template, ...order } = request;
  const given = [image, frames, template].filter((probe) => probe !== undefined).length;
  if (given !== 1) throw new FacekeyClientError('invalid_request', 'a checkout needs exactly one of image, frames or template');
  const base64 = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  return {
    ...order,
    ...(image !== undefined ? { image: base64(image) } : {}),
    ...(frames !== undefined ? { frames: frames.map(base64) } : {}),
    ...(template !== undefined ? { template: base64(template) } : {}),
  };
}
