import { createHmac } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyBaseLogger } from 'fastify';
import type { WebhookTarget } from './network-store.js';

export interface AuthorizationDecidedEvent {
  readonly type: 'authorization.decided';
  readonly authorizationId: string;
  readonly decision: 'approved' | 'declined';
  readonly reasons: readonly string[];
  readonly merchant: string;
  readonly merchantRef: string;
  readonly amount: number;
  readonly currency: string;
  readonly at: string;
}

export const SIGNATURE_HEADER = 'x-network-signature';
const DEFAULT_RETRY_DELAYS_MS = [500, 2_000];
const ATTEMPT_TIMEOUT_MS = 5_000;

/** `sha256=<hex>` over the exact bytes sent, so receivers verify before parsing. */
export function signWebhookBody(body: string, secret: string): string {
  return 'sha256=' + createHmac('sha256', secret).update(body, 'utf8').digest('hex');
}

/**
 * Fire-and-forget delivery: `dispatch` returns at once, so a slow receiver never delays an
 * authorization. Each target gets up to `retryDelaysMs.length + 1` attempts. `close` aborts
 * in-flight requests and pending backoff waits together, so no timer outlives the simulator.
 */
export class WebhookDispatcher {
  private readonly stopping = new AbortController();
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly targets: () => readonly WebhookTarget[],
    private readonly log: FastifyBaseLogger,
    private readonly retryDelaysMs: readonly number[] = DEFAULT_RETRY_DELAYS_MS,
  ) {}

  dispatch(event: AuthorizationDecidedEvent): void {
    if (this.stopping.signal.aborted) return;
    let targets: readonly WebhookTarget[];
    try {
      targets = this.targets();
    } catch (error) {
      this.log.error({ err: (error as Error).message, authorizationId: event.authorizationId }, 'webhook targets unavailable');
      return;
    }
    const body = JSON.stringify(event);
    for (const target of targets) {
      const delivery = this.deliver(target, body, event.authorizationId).finally(() => this.inFlight.delete(delivery));
      this.inFlight.add(delivery);
    }
  }

  async close(): Promise<void> {
    this.stopping.abort();
    await Promise.allSettled([...this.inFlight]);
  }

  private async deliver(target: WebhookTarget, body: string, authorizationId: string): Promise<void> {
    const attempts = this.retryDelaysMs.length + 1;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (this.stopping.signal.aborted) return;
      const failure = await this.attempt(target, body);
      if (failure === undefined) return;
      // The URL and outcome only: the body is the merchant's business and stays out of the log.
      this.log.warn({ webhookId: target.id, authorizationId, attempt, of: attempts, failure }, 'webhook delivery failed');
      const delay = this.retryDelaysMs[attempt - 1];
      if (delay === undefined) return;
      try {
        await sleep(delay, undefined, { signal: this.stopping.signal });
      } catch {
        return; // closing
      }
    }
  }

  /** undefined on a 2xx; otherwise a short description of what went wrong. */
  private async attempt(target: WebhookTarget, body: string): Promise<string | undefined> {
    try {
      const response = await fetch(target.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signWebhookBody(body, target.secret) },
        body,
        redirect: 'manual',
        signal: AbortSignal.any([this.stopping.signal, AbortSignal.timeout(ATTEMPT_TIMEOUT_MS)]),
      });
      await response.body?.cancel();
      return response.ok ? undefined : `status ${response.status}`;
    } catch (error) {
      return (error as Error).name === 'TimeoutError' ? 'timed out' : (error as Error).message;
    }
  }
}
