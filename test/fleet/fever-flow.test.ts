/**
 * The fever flow end to end over the embedded broker: a scanner's signed reading, the alert on the
 * site's topic and the webhook, the secondary check that erases the value, expiry that erases it
 * too, the multi-face refusal, and the link to a person only under health_screening consent.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import { once } from 'node:events';
import { createHmac, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { openFleetHarness, eventually, type FleetHarness } from './fleet-harness.js';
import type { FleetDeviceClient } from '../../src/fleet/fleet-device-client.js';
import { feverAlertTopic } from '../../src/fleet/fleet-topics.js';

interface Hook {
  readonly body: string;
  readonly signature: string | undefined;
}

describe('fever flow (embedded broker)', () => {
  let h: FleetHarness;
  let scanner: FleetDeviceClient;
  const staffAlerts: { alert: Record<string, unknown> }[] = [];
  const hooks: Hook[] = [];
  const server = createServer((request: IncomingMessage, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      hooks.push({ body, signature: request.headers['x-facekey-signature'] as string | undefined });
      response.writeHead(204).end();
    });
  });

  const reading = (overrides: Record<string, unknown> = {}) => ({
    type: 'temperature',
    eventId: randomUUID(),
    temperature: 36.6,
    unit: 'C',
    abnormal: false,
    alarmThreshold: 37.5,
    faces: 1,
    mask: true,
    ambient: 22.5,
    blackbody: 35.0,
    ...overrides,
  });

  async function subjectWithConsent(purposes: ('payment' | 'health_screening')[]): Promise<string> {
    const subjectId = randomUUID();
    const consent = await h.consents.grant({
      tenantId: h.tenantId,
      textVersion: 'eu-2026-11',
      textSha256: '0'.repeat(64),
      purposes,
      jurisdiction: 'EU',
      deviceId: 'kiosk',
      grantedAt: new Date().toISOString(),
    });
    assert.ok(await h.consents.bindSubject(h.tenantId, consent.id, subjectId));
    return subjectId;
  }

  before(async () => {
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    h = await openFleetHarness('embedded', { feverWebhook: { url: `http://127.0.0.1:${port}/fever`, secret: 'hook-secret' } });
    scanner = await h.newDevice({ kind: 'temperature_scanner', siteId: 'gate-2' });
    await scanner.connect();
  });

  after(async () => {
    await h.close();
    server.close();
  });

  it('a normal reading raises nothing; a multi-face frame is not measured', async () => {
    const before = { ...h.fleet.fever.counts };
    await scanner.publish('telemetry', reading());
    await scanner.publish('telemetry', reading({ temperature: 39.2, faces: 2 }));
    await eventually(() => h.fleet.fever.counts.normal === before.normal + 1 && h.fleet.fever.counts.multipleFaces === before.multipleFaces + 1, 'both screened');
    assert.equal(h.fleet.fever.counts.alerts, before.alerts);
    assert.deepEqual(await h.fleet.fever.list(h.tenantId), []);
  });

  it('a fever raises an alert on the site topic and the signed webhook, without any identity when there is no health_screening consent', async () => {
    // The site's staff app, here on facekey's own account (the embedded broker has no staff accounts yet).
    const topicListener = await h.fleet.broker.connectService(`staff-${randomUUID()}`);
    topicListener.onMessage(async (message) => {
      staffAlerts.push(JSON.parse(message.payload.toString('utf8')) as { alert: Record<string, unknown> });
    });
    await topicListener.subscribe(feverAlertTopic(h.tenantId, 'gate-2'), 1);
    const paymentOnly = await subjectWithConsent(['payment']);
    await scanner.publish('telemetry', reading({ temperature: 100.4, unit: 'F', alarmThreshold: 99.5, subjectId: paymentOnly }));
    await eventually(() => staffAlerts.length === 1 && hooks.length === 1, 'the alert on the topic and the webhook');
    const [alert] = await h.fleet.fever.list(h.tenantId);
    assert.equal(alert?.temperatureC, 38);
    assert.equal(alert?.alarmThresholdC, 37.5);
    assert.equal(alert?.subjectId, null, 'linked to a person without health_screening consent');
    assert.equal(staffAlerts[0]?.alert.subjectId, null);
    assert.equal(hooks[0]?.signature, `sha256=${createHmac('sha256', 'hook-secret').update(hooks[0]!.body).digest('hex')}`);
    assert.doesNotMatch(hooks[0]!.body, new RegExp(paymentOnly));
    await topicListener.close();

    // The secondary check is recorded and the value goes at once; the outcome stays.
    const checked = await h.fleet.fever.recordOutcome(h.tenantId, alert!.id, 'cleared');
    assert.deepEqual([checked.outcome, checked.temperatureC], ['cleared', null]);
    assert.equal(h.fleet.fever.counts.outcomes.cleared, 1);
  });

  it('links the reading to the person only with an active health_screening consent, and the value expires with the alert', async () => {
    const consenting = await subjectWithConsent(['payment', 'health_screening']);
    // The twin's threshold overrides the device's own.
    await h.fleet.twins.changeDesired(h.tenantId, scanner.id, { temperatureThresholdC: 37.2 }, 0, 'key:admin');
    await scanner.publish('telemetry', reading({ temperature: 37.3, alarmThreshold: 38, subjectId: consenting }));
    await eventually(async () => (await h.fleet.fever.list(h.tenantId)).length === 2, 'the second alert');
    const [alert] = await h.fleet.fever.list(h.tenantId);
    assert.equal(alert?.subjectId, consenting);
    assert.deepEqual([alert?.temperatureC, alert?.alarmThresholdC], [37.3, 37.2]);
    // Nobody records an outcome: an hour later the value is gone by itself.
    h.clock.advance(3_600_001);
    assert.ok((await h.fleet.fever.eraseExpiredValues()) >= 1);
    const expired = await h.fleet.fever.get(h.tenantId, alert!.id);
    assert.deepEqual([expired?.temperatureC, expired?.outcome], [null, null]);
  });
});
