import test from 'node:test';
import assert from 'node:assert/strict';
import { PadTallies } from './pad-tallies.js';
import type { LivenessVerdict } from '../../pad/burst-liveness.js';

const verdict = (live: boolean, reasons: LivenessVerdict['reasons'] = []): LivenessVerdict =>
  ({ live, reasons }) as unknown as LivenessVerdict;

test('an attack judged live is an APCER error; one refused is not, and its reasons are counted', () => {
  const tallies = new PadTallies();
  tallies.record({ kind: 'print', bonaFide: false }, verdict(true));
  tallies.record({ kind: 'print', bonaFide: false }, verdict(false, ['no_motion']));
  tallies.record({ kind: 'print', bonaFide: false }, verdict(false, ['no_motion']));
  tallies.record({ kind: 'print', bonaFide: false }, verdict(false, ['no_motion']));
  const { apcer, bpcer } = tallies.result();
  assert.deepEqual(apcer, { print: { presentations: 4, errors: 1, notJudged: 0, rate: 0.25, reasons: { no_motion: 3 } } });
  assert.deepEqual(bpcer, {});
});

test('a bona fide burst judged not live is a BPCER error; a burst without a verdict is not judged and out of the rate', () => {
  const tallies = new PadTallies();
  tallies.record({ kind: 'turn', bonaFide: true }, verdict(true));
  tallies.record({ kind: 'turn', bonaFide: true }, verdict(false, ['no_motion']));
  tallies.record({ kind: 'turn', bonaFide: true }, null);
  const { apcer, bpcer } = tallies.result();
  assert.deepEqual(bpcer, { turn: { presentations: 3, errors: 1, notJudged: 1, rate: 0.5, reasons: { no_motion: 1 } } });
  assert.deepEqual(apcer, {});
});
