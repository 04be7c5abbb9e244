/**
 * The fleet's store on PostgreSQL (the same portable SQL as on SQLite): a claim and registration,
 * a twin change with its version check delivered to the device, presence with a timeout, and a
 * rollout that aborts — over the embedded broker.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openFleetHarness, eventually, type FleetHarness } from '../fleet/fleet-harness.js';
import { Conflict } from '../../src/errors/domain-errors.js';

describe('fleet on PostgreSQL', () => {
  let h: FleetHarness;
  before(async () => {
    h = await openFleetHarness('embedded', { database: 'postgres', inactivityTimeoutMs: 90_000 });
  });
  after(async () => {
    await h.close();
  });

  it('provisions, keeps twin versions, tracks presence and aborts a failing rollout', async () => {
    const device = await h.newDevice({ tags: ['pg'] });
    await h.fleet.twins.changeDesired(h.tenantId, device.id, { kioskLanguage: 'en' }, 0, 'key:admin');
    await assert.rejects(h.fleet.twins.changeDesired(h.tenantId, device.id, { kioskLanguage: 'fr' }, 0, 'key:admin'), Conflict);
    device.onJob((notice) => {
      if (notice.action === 'run') void device.publish('jobs', { jobId: notice.jobId, status: 'failed' });
    });
    await device.connect();
    await eventually(() => device.desired?.version === 1, 'the desired state');
    await eventually(async () => (await h.fleet.presence.get(h.tenantId, device.id))?.state === 'online', 'online');

    const job = await h.fleet.rollouts.create(h.tenantId, {
      document: { engine: { id: 'dlib-resnet', version: '2.0.0' } },
      target: { tag: 'pg' },
      abort: { failureTypes: ['failed'], thresholdPercent: 50, minExecuted: 1 },
      inProgressTimeoutMs: 60_000,
    });
    await eventually(async () => (await h.fleet.rollouts.get(h.tenantId, job.id)).status === 'aborted', 'the abort');

    h.clock.advance(91_000);
    assert.deepEqual(await h.fleet.presence.sweep(), [device.id]);
    const log = await h.fleet.presence.connectionLog(h.tenantId, device.id);
    assert.deepEqual(log.map((e) => e.reason), ['inactivity_timeout', 'connected']);
  });

  it('a continuous job (migration 5 on PostgreSQL) takes a device registered after it and lists with its counts', async () => {
    const job = await h.fleet.rollouts.create(h.tenantId, {
      document: { engine: { id: 'dlib-resnet', version: '2.1.0' } },
      target: { tag: 'pg-continuous' },
      mode: 'continuous',
      abort: { failureTypes: ['failed'], thresholdPercent: 50, minExecuted: 1 },
      inProgressTimeoutMs: 60_000,
    });
    const device = await h.newDevice({ tags: ['pg-continuous'] });
    device.onJob((notice) => {
      if (notice.action === 'run') void device.publish('jobs', { jobId: notice.jobId, status: 'succeeded' });
    });
    await device.connect();
    await eventually(async () => (await h.fleet.rollouts.execution(job.id, device.id)) === 'succeeded', 'the late device’s execution');
    const [listed] = await h.fleet.rollouts.list(h.tenantId);
    assert.deepEqual([listed?.id, listed?.mode, listed?.status, listed?.counts.succeeded], [job.id, 'continuous', 'in_progress', 1]);
  });
});
