import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import mqtt from 'mqtt';
import { openFleetHarness, eventually, type FleetHarness } from './fleet-harness.js';
import { newDeviceKeys, registrationFor } from '../../src/fleet/fleet-device-client.js';
import { Forbidden, InvalidArgument, Unauthorized } from '../../src/errors/domain-errors.js';
import { signDeviceMessage } from '../../src/fleet/device-message-signature.js';
import { upTopic } from '../../src/fleet/fleet-topics.js';

const claim = { kind: 'temperature_scanner' as const, siteId: 'lobby-3', tags: ['north', 'pilot'], expiresInSeconds: 600, maxUses: 2 };

for (const brokerKind of ['embedded', 'mosquitto', 'mosquitto-password-file'] as const) describe(`provisioning by claim (${brokerKind} broker)`, () => {
  let h: FleetHarness;
  before(async () => {
    h = await openFleetHarness(brokerKind);
  });
  after(async () => {
    await h.close();
  });

  it('registers devices with a claim up to its number of uses, each with its own credentials and terminal', async () => {
    const { claim: created, token } = await h.fleet.provisioning.createClaim(h.tenantId, claim, 'key:admin');
    assert.equal(created.uses, 0);
    const first = await h.fleet.provisioning.register(registrationFor(token, newDeviceKeys()));
    const second = await h.fleet.provisioning.register(registrationFor(token, newDeviceKeys()));
    assert.notEqual(first.device.id, second.device.id);
    assert.notEqual(first.mqtt.password, second.mqtt.password);
    assert.deepEqual([first.device.kind, first.device.siteId, first.device.tags], ['temperature_scanner', 'lobby-3', ['north', 'pilot']]);
    assert.equal(first.mqtt.username, first.device.id);
    await assert.rejects(h.fleet.provisioning.register(registrationFor(token, newDeviceKeys())), (e: unknown) => e instanceof Forbidden && /used up/.test(e.message));
    const terminal = await h.terminals.get(first.device.id);
    assert.equal(terminal?.kind, 'temperature_scanner');
    assert.equal(terminal?.tenantId, h.tenantId);
    const listed = await h.fleet.provisioning.listDevices(h.tenantId, { tag: 'north', kind: 'temperature_scanner' });
    assert.deepEqual(listed.map((d) => d.id).sort(), [first.device.id, second.device.id].sort());
    const types = (await h.audit.entries({ limit: 1000 })).map((e) => e.type);
    assert.ok(types.includes('fleet.claim_created'));
    assert.equal(types.filter((t) => t === 'fleet.device_registered').length, 2);
  });

  it('refuses an expired claim, a revoked claim, a bad token and a key the device cannot prove it holds', async () => {
    const expiring = await h.fleet.provisioning.createClaim(h.tenantId, { ...claim, expiresInSeconds: 60 }, 'key:admin');
    h.clock.advance(61_000);
    await assert.rejects(h.fleet.provisioning.register(registrationFor(expiring.token, newDeviceKeys())), /expired/);

    const revoked = await h.fleet.provisioning.createClaim(h.tenantId, claim, 'key:admin');
    await h.fleet.provisioning.revokeClaim(h.tenantId, revoked.claim.id, 'key:admin');
    await assert.rejects(h.fleet.provisioning.register(registrationFor(revoked.token, newDeviceKeys())), /revoked/);

    const good = await h.fleet.provisioning.createClaim(h.tenantId, { ...claim, maxUses: 1 }, 'key:admin');
    await assert.rejects(h.fleet.provisioning.register(registrationFor(`${good.token.slice(0, -2)}AA`, newDeviceKeys())), Unauthorized);
    // The proof is signed by another key than the one registered: no proof of possession.
    const stolen = newDeviceKeys();
    const forged = { ...registrationFor(good.token, newDeviceKeys()), publicKey: stolen.publicJwk };
    await assert.rejects(h.fleet.provisioning.register(forged), (e: unknown) => e instanceof Unauthorized && /proof/.test(e.message));
    // Failed attempts did not consume the single use.
    const device = await h.fleet.provisioning.register(registrationFor(good.token, newDeviceKeys()));
    assert.ok(device.device.id);
    await assert.rejects(
      h.fleet.provisioning.createClaim(h.tenantId, { ...claim, siteId: 'bad/site' }, 'key:admin'),
      InvalidArgument,
    );
  });

  it('rotates a device’s MQTT password: the old one stops working, the new one works, audited', async () => {
    const device = await h.newDevice();
    const rotated = await h.fleet.provisioning.rotateCredentials(h.tenantId, device.id, 'key:admin');
    await assert.rejects(
      mqtt.connectAsync(device.provisioned.mqtt.url, { clientId: device.id, username: device.id, password: device.provisioned.mqtt.password, reconnectPeriod: 0 }),
    );
    const client = await mqtt.connectAsync(rotated.url, { clientId: device.id, username: device.id, password: rotated.password, reconnectPeriod: 0 });
    await client.endAsync();
    const entries = await h.audit.entries({ limit: 1000 });
    assert.ok(entries.some((e) => e.type === 'fleet.credentials_rotated' && e.data.deviceId === device.id));
  });

  it('revocation cuts a connected device off at once, records it, and its messages are refused afterwards', async () => {
    const device = await h.newDevice();
    await device.connect();
    await eventually(async () => (await h.fleet.presence.get(h.tenantId, device.id))?.state === 'online', 'online');
    await h.fleet.provisioning.revokeDevice(h.tenantId, device.id, 'key:admin');
    await eventually(() => !device.connected, 'the broker to disconnect the revoked device', 2_000);
    const presence = await h.fleet.presence.get(h.tenantId, device.id);
    assert.deepEqual([presence?.state, presence?.reason], ['offline', 'revoked']);
    assert.ok((await h.terminals.get(device.id))?.revokedAt);
    await assert.rejects(device.connect());
    const entries = await h.audit.entries({ limit: 1000 });
    assert.ok(entries.some((e) => e.type === 'fleet.device_revoked' && e.data.deviceId === device.id));
  });

  it('refuses a message signed by another key even over the device’s own MQTT connection', async () => {
    const device = await h.newDevice();
    await device.connect();
    const before = h.fleet.ingest.stats().rejected.signature_invalid ?? 0;
    // Same MQTT credentials (a stolen password), wrong signing key.
    const raw = await mqtt.connectAsync(device.provisioned.mqtt.url, {
      clientId: `${device.id}`,
      username: device.id,
      password: device.provisioned.mqtt.password,
      reconnectPeriod: 0,
    });
    const forged = signDeviceMessage(upTopic(device.id, 'telemetry'), { id: 'x', at: h.clock.now().toISOString(), body: { type: 'heartbeat' } }, newDeviceKeys().privateKey);
    await raw.publishAsync(upTopic(device.id, 'telemetry'), forged, { qos: 1 });
    await eventually(() => (h.fleet.ingest.stats().rejected.signature_invalid ?? 0) > before, 'the forged message to be refused');
    await raw.endAsync();
    const accepted = h.fleet.ingest.stats().byChannel.telemetry ?? 0;
    await device.connect();
    await device.publish('telemetry', { type: 'heartbeat' });
    await eventually(() => (h.fleet.ingest.stats().byChannel.telemetry ?? 0) === accepted + 1, 'the genuine message to be accepted');
  });
});
