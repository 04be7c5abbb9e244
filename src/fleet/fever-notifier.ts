/**
 * Tells a site's staff about a fever alert: on the site's MQTT alert topic (QoS 1) and, when one
 * is configured, by webhook (JSON, signed with HMAC-SHA256 in `x-facekey-signature` when a secret
 * is set). The alert carries the value while it lives, and a person only with health_screening
 * consent (the alert has no subject otherwise).
 */
import { createHmac } from 'node:crypto';
import type { FleetConnection } from './fleet-broker.js';
import type { FeverAlert, FeverNotifier } from './fever-alerts.js';
import { feverAlertTopic } from './fleet-topics.js';

export interface FeverWebhook {
  readonly url: string;
  readonly secret?: string;
}

export class StaffFeverNotifier implements FeverNotifier {
  constructor(
    private readonly connection: () => FleetConnection,
    private readonly webhook: FeverWebhook | undefined,
    private readonly onError: (error: unknown) => void,
  ) {}

  async notify(alert: FeverAlert): Promise<void> {
    const body = JSON.stringify({ type: 'fever_alert', alert });
    await this.connection().publish(feverAlertTopic(alert.tenantId, alert.siteId), body, { qos: 1 });
    if (this.webhook) void this.post(this.webhook, body).catch(this.onError);
  }

  private async post(webhook: FeverWebhook, body: string): Promise<void> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (webhook.secret) headers['x-facekey-signature'] = `sha256=${createHmac('sha256', webhook.secret).update(body).digest('hex')}`;
    const response = await fetch(webhook.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(5_000) });
    if (!response.ok) throw new Error(`fever webhook answered ${response.status}`);
  }
}
