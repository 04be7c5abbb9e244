import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openFleetHarness, eventually, type FleetHarness } from './fleet-harness.js';
import { Conflict, InvalidArgument } from '../../src/errors/domain-errors.js';
import type { DesiredDocument } from '../../src/fleet/device-twins.js';

for (const brokerKind of ['embedded', 'mosquitto'] as const) {
  describe(`device twins and presence (${brokerKind} broker)`, () => {
    let h: FleetHarness;
    before(async () => {
      h = await openFleetHarness(brokerKind, { inactivityTimeoutMs: 90_000 });
    });
    after(async () => {
      await h.close();
    });

    it('delivers the full desired state to a device that was offline through every change, with versions', async () => {
      const device = await h.newDevice();
      const twins = h.fleet.twins;
      // Never connected: two changes land while it is away.
      await twins.changeDesired(h.tenantId, device.id, { engine: { id: 'dlib-resnet', version: '2.0.0' } }, 0, 'key:admin');
      await twins.changeDesired(h.tenantId, device.id, { kioskLanguage: 'de-CH', temperatureThresholdC: 37.8 }, 1, 'key:admin');
      // Optimistic concurrency: a change based on a stale version is refused, and nothing changes.
      await assert.rejects(twins.changeDesired(h.tenantId, device.id, { kioskLanguage: 'fr' }, 1, 'key:admin'), Conflict);
      await assert.rejects(twins.changeDesired(h.tenantId, device.id, { fanSpeed: 3 }, 2, 'key:admin'), InvalidArgument);

      const received: DesiredDocument[] = [];
      device.onDesired((document) => received.push(document));
      await device.connect();
      await eventually(() => received.length > 0, 'the desired state on connect');
      assert.deepEqual(received[0], {
        version: 2,
        state: { engine: { id: 'dlib-resnet', version: '2.0.0' }, kioskLanguage: 'de-CH', temperatureThresholdC: 37.8 },
      });

      let twin = await twins.get(h.tenantId, device.id);
      assert.deepEqual(Object.keys(twin.delta).sort(), ['engine', 'kioskLanguage', 'temperatureThresholdC']);
      await device.publish('twin/reported', { appliedDesiredVersion: 2, state: { ...received[0]!.state } });
      await eventually(async () => (await twins.get(h.tenantId, device.id)).reportedVersion === 1, 'the reported state');
      twin = await twins.get(h.tenantId, device.id);
      assert.deepEqual(twin.delta, {});

      // Offline again; one more change and a removal while away; the reconnect brings the whole document.
      await device.disconnect();
      await twins.changeDesired(h.tenantId, device.id, { consentTextVersion: '2026-11', kioskLanguage: null }, 2, 'key:admin');
      received.length = 0;
      await device.connect();
      await eventually(() => received.some((d) => d.version === 3), 'the resync after reconnect');
      assert.deepEqual(received.find((d) => d.version === 3)?.state, {
        engine: { id: 'dlib-resnet', version: '2.0.0' },
        temperatureThresholdC: 37.8,
        consentTextVersion: '2026-11',
      });
      twin = await twins.get(h.tenantId, device.id);
      assert.deepEqual(twin.delta, { consentTextVersion: '2026-11' });
      const audited = (await h.audit.entries({ limit: 1000 })).filter((e) => e.type === 'fleet.twin_desired_changed' && e.data.deviceId === device.id);
      assert.equal(audited.length, 3);
    });

    it('logs connected, lost (last will) and goodbye, each with its reason', async () => {
      const device = await h.newDevice();
      await device.connect();
      await eventually(async () => (await h.fleet.presence.get(h.tenantId, device.id))?.state === 'online', 'online');
      device.drop();
      await eventually(async () => (await h.fleet.presence.get(h.tenantId, device.id))?.reason === 'connection_lost', 'the last will');
      await device.connect();
      await eventually(async () => (await h.fleet.presence.get(h.tenantId, device.id))?.state === 'online', 'online again');
      await device.disconnect();
      await eventually(async () => (await h.fleet.presence.get(h.tenantId, device.id))?.reason === 'disconnected', 'the goodbye');
      const log = await h.fleet.presence.connectionLog(h.tenantId, device.id);
      assert.deepEqual(
        log.map((e) => `${e.event}:${e.reason}`).reverse(),
        ['online:connected', 'offline:connection_lost', 'online:connected', 'offline:disconnected'],
      );
    });

    it('orders one device’s presence by its connections and its reports by its own clock, whatever order they are handled in', async () => {
      const device = await h.newDevice();
      const presence = h.fleet.presence;
      // Connection 2 said online before connection 1's last will was handled (two nodes, a redelivery).
      assert.equal(await presence.online(device.id, h.tenantId, 2_000), true);
      await presence.offline(device.id, h.tenantId, 'connection_lost', 1_000);
      assert.equal((await presence.get(h.tenantId, device.id))?.state, 'online');
      assert.equal(await presence.online(device.id, h.tenantId, 2_000), false, 'a redelivered online is no news');
      h.clock.advance(1); // the log is ordered by time
      await presence.offline(device.id, h.tenantId, 'disconnected', 2_000);
      assert.deepEqual((await presence.connectionLog(h.tenantId, device.id)).map((e) => `${e.event}:${e.reason}`).reverse(), [
        'online:connected',
        'offline:disconnected',
      ]);
      // The later report wins even when it is handled first.
      await h.fleet.twins.report(device.id, { kioskLanguage: 'fr' }, '2026-11-29T10:00:02.000Z');
      await h.fleet.twins.report(device.id, { kioskLanguage: 'de' }, '2026-11-29T10:00:01.000Z');
      const twin = await h.fleet.twins.get(h.tenantId, device.id);
      assert.deepEqual([twin.reported, twin.reportedVersion], [{ kioskLanguage: 'fr' }, 1]);
    });

    it('marks a silent device offline after the inactivity timeout, by facekey’s own clock', async () => {
      const talking = await h.newDevice();
      const silent = await h.newDevice();
      await talking.connect();
      await silent.connect();
      for (const device of [talking, silent])
        await eventually(async () => (await h.fleet.presence.get(h.tenantId, device.id))?.state === 'online', 'both online');
      // 60 s pass; only one device sends a heartbeat.
      h.clock.advance(60_000);
      const heartbeats = h.fleet.ingest.stats().byChannel.telemetry ?? 0;
      await talking.publish('telemetry', { type: 'heartbeat' });
      await eventually(() => (h.fleet.ingest.stats().byChannel.telemetry ?? 0) > heartbeats, 'the heartbeat');
      h.clock.advance(31_000);
      const timedOut = await h.fleet.presence.sweep();
      assert.ok(timedOut.includes(silent.id));
      assert.ok(!timedOut.includes(talking.id));
      const presence = await h.fleet.presence.get(h.tenantId, silent.id);
      assert.deepEqual([presence?.state, presence?.reason], ['offline', 'inactivity_timeout']);
      assert.equal((await h.fleet.presence.get(h.tenantId, talking.id))?.state, 'online');
      // The device speaks again: online again, from its message.
      await silent.publish('telemetry', { type: 'heartbeat' });
      await eventually(async () => (await h.fleet.presence.get(h.tenantId, silent.id))?.state === 'online', 'back online');
      assert.equal((await h.fleet.presence.get(h.tenantId, silent.id))?.reason, 'message');
    });
  });
}
