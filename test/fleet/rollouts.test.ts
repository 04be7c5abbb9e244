/**
 * Staged rollouts over the embedded broker with real devices: abort criteria that stop the rollout
 * before the next phase, in-progress timeouts with a retry for a silent device, and "retry the
 * failed ones". Time moves by the injected clock; `advanceAll` is what the service's timer calls.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openFleetHarness, eventually, type FleetHarness } from './fleet-harness.js';
import type { FleetDeviceClient } from '../../src/fleet/fleet-device-client.js';
import type { JobNotice } from '../../src/fleet/rollouts.js';

const engine = { engine: { id: 'dlib-resnet', version: '2.1.0' } };

describe('jobs and staged rollouts (embedded broker)', () => {
  let h: FleetHarness;
  before(async () => {
    h = await openFleetHarness('embedded');
  });
  after(async () => {
    await h.close();
  });

  async function fleetOf(count: number, tag: string, behave: (device: FleetDeviceClient, notice: JobNotice, runs: number) => 'succeeded' | 'failed' | 'silent'): Promise<{ devices: FleetDeviceClient[]; runs: Map<string, number> }> {
    const devices: FleetDeviceClient[] = [];
    const runs = new Map<string, number>();
    for (let i = 0; i < count; i++) {
      const device = await h.newDevice({ tags: [tag] });
      device.onJob((notice) => {
        if (notice.action !== 'run') return;
        const n = (runs.get(device.id) ?? 0) + 1;
        runs.set(device.id, n);
        const outcome = behave(device, notice, n);
        if (outcome !== 'silent') void device.publish('jobs', { jobId: notice.jobId, status: outcome });
      });
      await device.connect();
      devices.push(device);
    }
    return { devices, runs };
  }

  it('stops the rollout when the abort criteria are met: later phases never start, queued executions are canceled', async () => {
    const { runs } = await fleetOf(20, 'abort-test', () => 'failed');
    const job = await h.fleet.rollouts.create(h.tenantId, {
      document: engine,
      target: { tag: 'abort-test' },
      phases: [0.25, 1],
      abort: { failureTypes: ['failed', 'timed_out'], thresholdPercent: 10, minExecuted: 4 },
      inProgressTimeoutMs: 60_000,
    });
    assert.equal(job.counts.queued + job.counts.canceled >= 15, true, 'only the first phase (25% of 20) is released');
    await eventually(async () => (await h.fleet.rollouts.get(h.tenantId, job.id)).status === 'aborted', 'the abort');
    const aborted = await h.fleet.rollouts.get(h.tenantId, job.id);
    assert.ok(aborted.counts.failed >= 4);
    assert.equal(aborted.counts.failed + aborted.counts.canceled, 20);
    assert.match(aborted.statusReason ?? '', /failed/);
    await h.fleet.rollouts.advanceAll();
    await eventually(() => runs.size === 5, 'the first phase’s notices');
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(runs.size, 5, `exactly the first phase ran, ${runs.size} devices did`);
  });

  it('times out a silent device, retries it, completes without it, and retries the failed ones on request', async () => {
    let silentWakesUp = false;
    let silentId = '';
    const { devices } = await fleetOf(6, 'timeout-test', (device) => (device.id === silentId && !silentWakesUp ? 'silent' : 'succeeded'));
    silentId = devices[2]!.id;
    const job = await h.fleet.rollouts.create(h.tenantId, {
      document: engine,
      target: { tag: 'timeout-test' },
      phases: [0.5, 1],
      abort: { failureTypes: ['failed'], thresholdPercent: 50, minExecuted: 6 },
      inProgressTimeoutMs: 5_000,
      maxAttempts: 2,
    });
    const status = async () => h.fleet.rollouts.execution(job.id, silentId);
    await eventually(async () => (await h.fleet.rollouts.get(h.tenantId, job.id)).counts.succeeded >= 2, 'the first phase to progress');
    // The silent device holds its phase until its execution times out: first a retry, then timed_out.
    await eventually(async () => (await status()) === 'in_progress', 'the silent device to be running');
    // Its phase mates must have answered before time jumps, or they would time out with it.
    await eventually(async () => (await h.fleet.rollouts.get(h.tenantId, job.id)).counts.in_progress === 1, 'only the silent device still running');
    h.clock.advance(5_001);
    await h.fleet.rollouts.advanceAll();
    assert.equal(await status(), 'in_progress', 'the second attempt');
    h.clock.advance(5_001);
    await h.fleet.rollouts.advanceAll();
    await eventually(async () => (await status()) === 'timed_out', 'the timeout');
    await eventually(async () => (await h.fleet.rollouts.get(h.tenantId, job.id)).status === 'completed', 'the rest of the rollout');
    const completed = await h.fleet.rollouts.get(h.tenantId, job.id);
    assert.deepEqual([completed.counts.succeeded, completed.counts.timed_out], [5, 1]);

    silentWakesUp = true;
    await h.fleet.rollouts.retryFailed(h.tenantId, job.id);
    await eventually(async () => (await h.fleet.rollouts.get(h.tenantId, job.id)).counts.succeeded === 6, 'the retried device');
    await eventually(async () => (await h.fleet.rollouts.get(h.tenantId, job.id)).status === 'completed', 'the job to complete again');
  });

  it('releases at most maxPerSecond executions per advance (rollout by rate)', async () => {
    await fleetOf(5, 'rate-test', () => 'silent');
    const job = await h.fleet.rollouts.create(h.tenantId, {
      document: engine,
      target: { tag: 'rate-test' },
      abort: { failureTypes: ['failed'], thresholdPercent: 50, minExecuted: 5 },
      inProgressTimeoutMs: 60_000,
      maxPerSecond: 2,
    });
    const running = async () => (await h.fleet.rollouts.get(h.tenantId, job.id)).counts.in_progress;
    assert.ok((await running()) <= 4, 'at most two per advance');
    await eventually(async () => (await running()) === 5, 'every device, two at a time');
    assert.equal((await h.fleet.rollouts.get(h.tenantId, job.id)).maxPerSecond, 2);
    await h.fleet.rollouts.cancel(h.tenantId, job.id);
  });

  it('a continuous job also runs on devices that come to match later, not on others, and stops taking them once canceled', async () => {
    const ran = new Set<string>();
    const obedient = async (tags: string[], siteId = 'store-1', connect = true): Promise<FleetDeviceClient> => {
      const device = await h.newDevice({ tags, siteId });
      device.onJob((notice) => {
        if (notice.action !== 'run') return;
        ran.add(device.id);
        void device.publish('jobs', { jobId: notice.jobId, status: 'succeeded' });
      });
      if (connect) await device.connect();
      return device;
    };
    const first = await obedient(['continuous-test']);
    const job = await h.fleet.rollouts.create(h.tenantId, {
      document: engine,
      target: { tag: 'continuous-test', siteId: 'store-1' },
      mode: 'continuous',
      abort: { failureTypes: ['failed'], thresholdPercent: 50, minExecuted: 2 },
      inProgressTimeoutMs: 60_000,
    });
    assert.equal(job.mode, 'continuous');
    await eventually(async () => (await h.fleet.rollouts.get(h.tenantId, job.id)).counts.succeeded === 1, 'the first device');
    await h.fleet.rollouts.advanceAll();
    assert.equal((await h.fleet.rollouts.get(h.tenantId, job.id)).status, 'in_progress', 'a continuous job does not complete by itself');

    // Registered after the job, but not connected yet: it waits, so its notice is not lost.
    const late = await obedient(['continuous-test'], 'store-1', false);
    await h.fleet.rollouts.advanceAll();
    assert.equal(await h.fleet.rollouts.execution(job.id, late.id), undefined, 'not before it is online');
    await late.connect();
    const otherSite = await obedient(['continuous-test'], 'store-2');
    const otherTag = await obedient(['elsewhere']);
    await eventually(() => ran.has(late.id), 'the device registered after the job to receive it');
    await eventually(async () => (await h.fleet.rollouts.get(h.tenantId, job.id)).counts.succeeded === 2, 'its success');
    assert.equal(await h.fleet.rollouts.execution(job.id, otherSite.id), undefined, 'another site does not match');
    assert.equal(await h.fleet.rollouts.execution(job.id, otherTag.id), undefined, 'another tag does not match');

    // Moving a device into the target (site and tags changed by an admin) enrolls it too.
    await h.fleet.provisioning.placeDevice(h.tenantId, otherSite.id, { siteId: 'store-1' }, 'key:admin');
    await eventually(() => ran.has(otherSite.id), 'the moved device to receive the job');
    assert.ok(ran.has(first.id));

    // The list carries the same counts as the job (the moved device's success arrives after its notice).
    await eventually(async () => (await h.fleet.rollouts.list(h.tenantId)).find((j) => j.id === job.id)?.counts.succeeded === 3, 'three successes in the list');

    await h.fleet.rollouts.cancel(h.tenantId, job.id);
    const afterCancel = await obedient(['continuous-test']);
    await eventually(async () => (await h.fleet.presence.get(h.tenantId, afterCancel.id))?.state === 'online', 'the device online');
    await h.fleet.rollouts.advanceAll();
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(await h.fleet.rollouts.execution(job.id, afterCancel.id), undefined, 'a canceled continuous job takes no new device');
    assert.ok(!ran.has(afterCancel.id));
    await h.fleet.provisioning.placeDevice(h.tenantId, otherTag.id, { tags: ['continuous-test'] }, 'key:admin');
    await h.fleet.rollouts.advanceAll();
    assert.equal(await h.fleet.rollouts.execution(job.id, otherTag.id), undefined);
  });

  it('an operator completes a continuous job: it takes no more devices; a snapshot job cannot be completed by hand', async () => {
    const job = await h.fleet.rollouts.create(h.tenantId, {
      document: engine,
      target: { tag: 'not-installed-yet' },
      mode: 'continuous',
      abort: { failureTypes: ['failed'], thresholdPercent: 50, minExecuted: 2 },
      inProgressTimeoutMs: 60_000,
    });
    assert.equal(job.status, 'in_progress', 'a continuous job may start with no device');
    const completed = await h.fleet.rollouts.complete(h.tenantId, job.id);
    assert.deepEqual([completed.status, completed.statusReason], ['completed', 'completed by an admin']);
    const device = await h.newDevice({ tags: ['not-installed-yet'] });
    await device.connect();
    await eventually(async () => (await h.fleet.presence.get(h.tenantId, device.id))?.state === 'online', 'the device online');
    await h.fleet.rollouts.advanceAll();
    assert.equal(await h.fleet.rollouts.execution(job.id, device.id), undefined);
    await assert.rejects(h.fleet.rollouts.complete(h.tenantId, job.id), { name: 'Conflict' });

    await assert.rejects(
      h.fleet.rollouts.create(h.tenantId, { document: engine, target: { tag: 'nobody' }, abort: { failureTypes: ['failed'], thresholdPercent: 50, minExecuted: 1 }, inProgressTimeoutMs: 60_000 }),
      /selects no active device/,
      'a snapshot job still needs devices',
    );
    const snapshot = await h.fleet.rollouts.create(h.tenantId, {
      document: engine,
      target: { tag: 'not-installed-yet' },
      abort: { failureTypes: ['failed'], thresholdPercent: 50, minExecuted: 1 },
      inProgressTimeoutMs: 60_000,
    });
    assert.equal(snapshot.mode, 'snapshot');
    await assert.rejects(h.fleet.rollouts.complete(h.tenantId, snapshot.id), { name: 'Conflict' });
    await h.fleet.rollouts.cancel(h.tenantId, snapshot.id);
  });
});
