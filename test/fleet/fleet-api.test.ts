/**
 * The fleet over HTTP, in process, as `facekey serve` wires it: the embedded broker, claims and
 * registration through the API, a device that connects with what it was given, its twin and
 * presence as the admin sees them, tenant isolation, and revocation.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { buildApp } from '../../src/api/build-app.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { SqliteDatabase } from '../../src/store/sql/sqlite-database.js';
import { composeTestPlatform } from '../kit/test-platform.js';
import { noFaceService } from '../kit/no-face-service.js';
import { ensureOperatorKey } from '../../src/server/operator-key.js';
import { startFleet } from '../../src/server/start-fleet.js';
import { FleetDeviceClient, newDeviceKeys, registrationFor } from '../../src/fleet/fleet-device-client.js';
import type { ProvisionedDevice } from '../../src/fleet/fleet-provisioning.js';
import { eventually } from './fleet-harness.js';

test('fleet HTTP API with the embedded broker', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'facekey-fleet-api-'));
  const masterKey = randomBytes(32);
  const store = await SqliteStore.open({ path: path.join(dir, 'facekey.sqlite'), masterKey });
  const platform = await composeTestPlatform(store, noFaceService, masterKey);
  const fleet = await startFleet(
    { sql: new SqliteDatabase(store.connection), terminals: platform.terminals, audit: platform.audit },
    { mqttUrl: undefined, mqttDeviceUrl: undefined, mqttPort: 0, mqttPortConfigured: true, mqttHost: '127.0.0.1', nodeId: 'api-test', inactivityTimeoutMs: 90_000 },
    { warn: () => undefined, error: (error) => assert.fail(String(error)) },
  );
  const app = await buildApp({ platform, fleet, metricsToken: 'fleet-metrics', readiness: async () => ({ store: true, models: true }) });
  const devices: FleetDeviceClient[] = [];
  t.after(async () => {
    for (const device of devices) device.drop();
    await app.close();
    await fleet.close();
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const call = async (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, token?: string, body?: unknown) => {
    const response = await app.inject({ method, url, headers: token ? { authorization: `Bearer ${token}` } : {}, ...(body !== undefined ? { payload: body as object } : {}) });
    return { status: response.statusCode, body: response.body ? JSON.parse(response.body) : undefined };
  };

  const operator = fs.readFileSync((await ensureOperatorKey(store, dir)).file, 'utf8').trim();
  const tenant = (await call('POST', '/v1/tenants', operator, { name: 'shop' })).body;
  const admin = (await call('POST', `/v1/tenants/${tenant.id}/api-keys`, operator, { scopes: ['admin'] })).body.token;
  const other = (await call('POST', '/v1/tenants', operator, { name: 'other' })).body;
  const otherAdmin = (await call('POST', `/v1/tenants/${other.id}/api-keys`, operator, { scopes: ['admin'] })).body.token;
  const enrollOnly = (await call('POST', `/v1/tenants/${tenant.id}/api-keys`, operator, { scopes: ['enroll'] })).body.token;

  const claim = await call('POST', '/v1/fleet/claims', admin, { kind: 'checkout', siteId: 'store-7', tags: ['eu'], expiresInSeconds: 3600, maxUses: 1 });
  assert.equal(claim.status, 201);
  assert.match(claim.body.token, /^fkc_/);
  assert.equal((await call('POST', '/v1/fleet/claims', enrollOnly, { kind: 'checkout', siteId: 's', expiresInSeconds: 3600, maxUses: 1 })).status, 403);

  const keys = newDeviceKeys();
  const registered = await call('POST', '/v1/fleet/registrations', undefined, registrationFor(claim.body.token, keys, 'till 3'));
  assert.equal(registered.status, 201);
  const provisioned = registered.body as ProvisionedDevice;
  assert.equal(provisioned.mqtt.url, fleet.broker.deviceUrl);
  const again = await call('POST', '/v1/fleet/registrations', undefined, registrationFor(claim.body.token, newDeviceKeys()));
  assert.equal(again.status, 403);
  assert.equal(again.body.code, 'forbidden');
  assert.equal((await call('POST', '/v1/fleet/registrations', undefined, { ...registrationFor(claim.body.token, keys), claimToken: 'fkc_nope' })).status, 401);

  const device = new FleetDeviceClient(provisioned, keys);
  devices.push(device);
  await device.connect();
  const deviceUrl = `/v1/fleet/devices/${provisioned.device.id}`;
  await eventually(async () => (await call('GET', deviceUrl, admin)).body.presence?.state === 'online', 'online over HTTP');
  const listed = await call('GET', '/v1/fleet/devices?siteId=store-7', admin);
  assert.equal(listed.body.online, 1);
  assert.equal((await call('GET', deviceUrl, otherAdmin)).status, 404, 'another tenant must not see the device');
  assert.equal((await call('GET', '/v1/fleet/devices', otherAdmin)).body.items.length, 0);

  // Prometheus: fleet-wide and per-channel figures, never a label per device.
  await device.publish('telemetry', { type: 'heartbeat' });
  const scrape = async (): Promise<string> => (await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer fleet-metrics' } })).body;
  await eventually(async () => (await scrape()).includes('facekey_fleet_messages_total{channel="telemetry"} 1'), 'the heartbeat in /metrics');
  const metrics = await scrape();
  assert.match(metrics, /^facekey_fleet_devices_online 1$/m);
  assert.match(metrics, /^facekey_fleet_ingest_seconds_count\{channel="telemetry"\} 1$/m);
  assert.match(metrics, /^facekey_fleet_ingest_in_flight 0$/m);
  assert.ok(!metrics.includes(provisioned.device.id), 'no device id in the metrics');

  const changed = await call('PATCH', `${deviceUrl}/twin/desired`, admin, { expectedVersion: 0, changes: { kioskLanguage: 'fr-CH' } });
  assert.equal(changed.status, 200);
  assert.deepEqual(changed.body.delta, { kioskLanguage: 'fr-CH' });
  await eventually(() => device.desired?.version === 1, 'the desired state at the device');
  const stale = await call('PATCH', `${deviceUrl}/twin/desired`, admin, { expectedVersion: 0, changes: { kioskLanguage: 'it' } });
  assert.equal(stale.status, 409);
  assert.equal((await call('PATCH', `${deviceUrl}/twin/desired`, otherAdmin, { expectedVersion: 1, changes: { kioskLanguage: 'it' } })).status, 404);

  // The console's reads and writes: claims listed without secrets, a device moved, a continuous job listed and completed.
  const claims = (await call('GET', '/v1/fleet/claims', admin)).body.items;
  assert.deepEqual([claims.length, claims[0].uses, 'token' in claims[0] || 'secretHash' in claims[0]], [1, 1, false]);
  assert.equal((await call('GET', '/v1/fleet/claims', otherAdmin)).body.items.length, 0);
  const moved = await call('PATCH', deviceUrl, admin, { siteId: 'store-8', tags: ['eu', 'pilot'] });
  assert.deepEqual([moved.status, moved.body.siteId, moved.body.tags], [200, 'store-8', ['eu', 'pilot']]);
  assert.equal((await call('PATCH', deviceUrl, admin, { siteId: 'no spaces' })).status, 400);
  assert.equal((await call('PATCH', deviceUrl, otherAdmin, { siteId: 'store-9' })).status, 404);
  const jobInput = { document: { engine: { id: 'x', version: '1' } }, target: { tag: 'pilot' }, abort: { failureTypes: ['failed'], thresholdPercent: 50, minExecuted: 1 }, inProgressTimeoutMs: 60_000 };
  const continuous = await call('POST', '/v1/fleet/jobs', admin, { ...jobInput, mode: 'continuous' });
  assert.deepEqual([continuous.status, continuous.body.mode], [201, 'continuous']);
  assert.equal((await call('POST', '/v1/fleet/jobs', admin, { ...jobInput, mode: 'forever' })).status, 400);
  const jobs = (await call('GET', '/v1/fleet/jobs', admin)).body.items;
  assert.deepEqual(jobs.map((j: { id: string }) => j.id), [continuous.body.id]);
  assert.equal((await call('GET', '/v1/fleet/jobs', otherAdmin)).body.items.length, 0);
  const completed = await call('POST', `/v1/fleet/jobs/${continuous.body.id}/complete`, admin);
  assert.deepEqual([completed.status, completed.body.status], [200, 'completed']);
  assert.equal((await call('POST', `/v1/fleet/jobs/${continuous.body.id}/complete`, admin)).status, 409);

  const revoked = await call('DELETE', deviceUrl, admin);
  assert.equal(revoked.status, 200);
  assert.ok(revoked.body.revokedAt);
  await eventually(() => !device.connected, 'the revoked device to be cut off', 2_000);
  const connections = await call('GET', `${deviceUrl}/connections`, admin);
  assert.match(await scrape(), /^facekey_fleet_devices_online 0$/m);
  assert.deepEqual(connections.body.items[0], { deviceId: provisioned.device.id, event: 'offline', reason: 'revoked', at: connections.body.items[0].at });
  assert.equal((await call('GET', '/openapi.json')).body.paths['/v1/fleet/registrations'] !== undefined, true);
});
