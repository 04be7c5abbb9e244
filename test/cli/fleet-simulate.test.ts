/**
 * `facekey fleet simulate` end to end, small: the real CLI in its own process (its nodes and device
 * workers are children of it), against a private Mosquitto, and the embedded broker's refusal
 * above its limit.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import type { SimulationReport } from '../../src/cli/fleet/fleet-simulation.js';
import { facekey } from '../kit/run-facekey-cli.js';

test(
  'fleet simulate: 60 devices on Mosquitto, nothing lost, the rollout aborted, presence right at the end',
  { timeout: 120_000 },
  async () => {
    const result = await facekey(
      'fleet',
      'simulate',
      '--devices',
      '60',
      '--seconds',
      '8',
      '--heartbeat-seconds',
      '3',
      '--broker',
      'mosquitto',
      '--json',
    );
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout) as SimulationReport;
    assert.equal(report.connected.atEnd, 60);
    assert.equal(report.lost, 0);
    assert.ok(report.acknowledged > 60 * 3, `only ${report.acknowledged} acknowledged`);
    assert.equal(report.handled, report.acknowledged);
    assert.equal(report.presence.mismatchesAtEnd, 0);
    assert.equal(report.twinChanges.appliedAtEnd, report.twinChanges.changed);
    assert.notEqual(report.rollout.status, 'not started');
    assert.ok(report.memoryMiB.facekey[0]!.peak > 0 && report.memoryMiB.simulator.peak > 0);
  },
);

test('fleet simulate refuses more devices than the embedded broker holds, before starting anything', async () => {
  const result = await facekey('fleet', 'simulate', '--devices', '2001', '--broker', 'embedded');
  assert.equal(result.code, 2);
  assert.match(result.stderr, /limited to 2000 devices/);
});
