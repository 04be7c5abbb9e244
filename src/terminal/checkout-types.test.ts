import test from 'node:test';
import assert from 'node:assert/strict';
import type { CheckoutResult, CheckoutRequest as ServiceCheckoutRequest } from '../checkout/checkout-service.js';
import type { CheckoutReason as ServiceCheckoutReason } from '../checkout/risk-policy.js';
import type { SecondFactorKind as ServiceSecondFactorKind } from '../payments/payment-store.js';
import { TERMINAL_KINDS, type TerminalKind as ServiceTerminalKind } from '../devices/terminal-registry.js';
import {
  checkoutRequestBody,
  type CheckoutOrder,
  type CheckoutReason,
  type CheckoutResponse,
  type LivenessSessionResponse,
  type SecondFactorKind,
} from './checkout-types.js';
import type { ChallengeAction } from '../pad/challenge-evaluation.js';
import type { LivenessSession } from '../devices/liveness-sessions.js';
import type { TerminalKind } from './register-terminal.js';
import { FacekeyClientError } from './facekey-client-error.js';

// Compile-time contract with the service: `npm test`'s type check fails when the two drift apart.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameReasons: Same<CheckoutReason, ServiceCheckoutReason> = true;
const sameSecondFactors: Same<SecondFactorKind, ServiceSecondFactorKind> = true;
const sameKinds: Same<TerminalKind, ServiceTerminalKind> = true;
const sameActions: Same<LivenessSessionResponse['challenge'][number], ChallengeAction> = true;
/** What the service issues is what the SDK reads. */
const sessionFits = (session: LivenessSession): LivenessSessionResponse => session;
/** Every response the service can produce is a CheckoutResponse (as JSON, the service's readonly arrays included). */
const responseFits = (result: CheckoutResult): CheckoutResponse => result;
/** Every order field a terminal sends is one the service accepts. */
const orderFits = (order: CheckoutOrder): Omit<ServiceCheckoutRequest, 'tenantId' | 'terminalId' | 'nonce' | 'probe'> => order;

test('the SDK types name the same reasons, second factors and terminal kinds as the service', () => {
  assert.deepEqual([sameReasons, sameSecondFactors, sameKinds, sameActions], [true, true, true, true]);
  assert.equal(typeof sessionFits, 'function');
  assert.equal(typeof responseFits, 'function');
  assert.equal(typeof orderFits, 'function');
  const kinds: readonly TerminalKind[] = TERMINAL_KINDS;
  assert.deepEqual(kinds, ['checkout', 'enrollment_kiosk', 'temperature_scanner']);
});

test('checkoutRequestBody base64-encodes the probe bytes and keeps the order fields', () => {
  const bytes = new Uint8Array([0xff, 0xd8, 0xff, 0x00, 0x01]);
  // A view into a larger buffer: only the viewed bytes are sent.
  const view = new Uint8Array(new Uint8Array([9, 9, ...bytes, 9]).buffer, 2, bytes.length);
  const body = checkoutRequestBody({ amount: 1250, currency: 'EUR', merchantRef: 'order-1', image: view, subjectId: 's1' });
  assert.deepEqual(body, { amount: 1250, currency: 'EUR', merchantRef: 'order-1', subjectId: 's1', image: '/9j/AAE=' });
  const burst = checkoutRequestBody({ amount: 1, currency: 'EUR', merchantRef: 'r', frames: [bytes, bytes, bytes] });
  assert.deepEqual(burst.frames, ['/9j/AAE=', '/9j/AAE=', '/9j/AAE=']);
  assert.equal(burst.image, undefined);
});

test('checkoutRequestBody refuses a request with no probe or with two', () => {
  const order = { amount: 1, currency: 'EUR', merchantRef: 'r' };
  for (const request of [order, { ...order, image: new Uint8Array(1), template: new Uint8Array(1) }]) {
    assert.throws(
      () => checkoutRequestBody(request as never),
      (error: unknown) => error instanceof FacekeyClientError && error.code === 'invalid_request',
    );
  }
});
