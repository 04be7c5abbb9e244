/**
 * What a checkout terminal calls: every request RFC 9421-signed with the terminal's own key, so the
 * service knows which registered device sent it and that nothing was altered or replayed.
 */
import type { KeyObject } from 'node:crypto';
import { signTerminalRequest } from '../devices/terminal-client.js';
import { callFacekey, type FetchFunction } from './call-facekey.js';
import { checkoutRequestBody, type CheckoutRequest, type CheckoutResponse, type LivenessSessionResponse } from './checkout-types.js';

export interface TerminalClientOptions {
  /** The service's base URL, e.g. `https://pay.example.com`; the signature covers its authority. */
  readonly baseUrl: string | URL;
  /** The id the service gave the terminal at registration; it is the signature's `keyid`. */
  readonly terminalId: string;
  readonly privateKey: KeyObject;
  /** Defaults to the global fetch. */
  readonly fetch?: FetchFunction;
}

export class TerminalClient {
  private readonly fetchImpl: FetchFunction;

  constructor(private readonly options: TerminalClientOptions) {
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
  }

  /**
   * Pay by face. Every decision (approved, declined, second factor required) resolves with its
   * reasons and evidence; a refused request (bad signature, replay, revoked device, invalid body)
   * rejects with a FacekeyClientError carrying the service's code.
   */
  checkout(request: CheckoutRequest, { signal }: { readonly signal?: AbortSignal } = {}): Promise<CheckoutResponse> {
    return this.post<CheckoutResponse>('/v1/checkout', checkoutRequestBody(request), signal);
  }

  /**
   * A liveness challenge to show the shopper before recording the burst: perform `challenge` in
   * order, then send the frames to `checkout` with `livenessSessionId: sessionId` before `expiresAt`.
   * Single use, and valid for this terminal only.
   */
  startLivenessSession({ signal }: { readonly signal?: AbortSignal } = {}): Promise<LivenessSessionResponse> {
    return this.post<LivenessSessionResponse>('/v1/liveness-sessions', {}, signal);
  }

  private async post<T>(path: string, payload: object, signal: AbortSignal | undefined): Promise<T> {
    const url = new URL(path, this.options.baseUrl);
    const body = JSON.stringify(payload);
    const headers = { 'content-type': 'application/json' };
    const signature = signTerminalRequest(
      { method: 'POST', url, headers, body },
      { terminalId: this.options.terminalId, privateKey: this.options.privateKey },
    );
    return callFacekey<T>(this.fetchImpl, url, {
      method: 'POST',
      headers: { ...headers, ...signature },
      body,
      ...(signal ? { signal } : {}),
    });
  }
}
