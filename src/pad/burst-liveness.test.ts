import assert from 'node:assert/strict';
import { test } from 'node:test';
import { burst, frame, syntheticMesh, type FaceParams } from '../../test/kit/synthetic-face-burst.js';
import { InvalidArgument } from '../errors/domain-errors.js';
import { DEFAULT_PRESENTATION_POLICY } from './frame-presentation.js';
import { DEFAULT_BURST_LIVENESS_POLICY, assessBurstLiveness, detectBlink, meshMotion } from './burst-liveness.js';
import { eyeAspectRatios, interEyeDistance } from '../quality/eye-openness.js';

const BLINK_EARS = [0.3, 0.31, 0.24, 0.06, 0.05, 0.2, 0.3, 0.31];
const blinkBurst = (extra: FaceParams = {}) => burst(BLINK_EARS.map((ear) => ({ ear, ...extra })));
const turnBurst = (extra: FaceParams = {}) => burst([-9, -6, -3, 0, 3, 6, 9].map((yawDeg) => ({ yawDeg, ...extra })));

// ---- Eye aspect ratio --------------------------------------------------------------------------------

test('eye aspect ratio of the synthetic face equals its lid gap over eye width, for both eyes', () => {
  for (const ear of [0.05, 0.2, 0.32]) {
    const ratios = eyeAspectRatios(syntheticMesh({ ear, jitterPx: 0 }));
    assert.ok(Math.abs(ratios.left - ear) < 1e-9, `left ${ratios.left} vs ${ear}`);
    assert.ok(Math.abs(ratios.right - ear) < 1e-9, `right ${ratios.right} vs ${ear}`);
  }
  assert.ok(Math.abs(interEyeDistance(syntheticMesh({ jitterPx: 0, scale: 80 })) - 80) < 1e-9, 'eye centres are one unit apart');
  assert.throws(() => eyeAspectRatios(syntheticMesh().slice(0, 100)), InvalidArgument);
});

// ---- Passing bursts ----------------------------------------------------------------------------------

test('a blink (eyes close in the middle frames and reopen) with good scores is live', () => {
  const verdict = assessBurstLiveness(blinkBurst());
  assert.equal(verdict.live, true, `reasons: ${verdict.reasons.join(', ')}`);
  assert.deepEqual(verdict.reasons, []);
  const e = verdict.evidence;
  assert.equal(e.frames, 8);
  assert.equal(e.blinkDetected, true);
  assert.equal(e.headTurnDetected, false);
  assert.ok(e.minEar! < 0.07 && e.minEar! > 0.04, `minEar ${e.minEar}`);
  assert.ok(e.maxEar! > 0.29, `maxEar ${e.maxEar}`);
  assert.equal(e.yawRangeDeg, 0);
  assert.equal(e.antispoofMedian, 0.9);
  assert.equal(e.livenessMedian, 0.85);
  assert.ok(e.meanMotion! > DEFAULT_BURST_LIVENESS_POLICY.minMotion);
  assert.equal(e.movingPairs, 7);
  assert.deepEqual(e.policy, DEFAULT_BURST_LIVENESS_POLICY);
});

test('a head turn of 18° with open eyes is live without a blink', () => {
  const verdict = assessBurstLiveness(turnBurst());
  assert.equal(verdict.live, true, `reasons: ${verdict.reasons.join(', ')}`);
  assert.equal(verdict.evidence.blinkDetected, false);
  assert.equal(verdict.evidence.headTurnDetected, true);
  assert.equal(verdict.evidence.yawRangeDeg, 18);
  // Yaw foreshortens the eye width, so EAR rises a little but nowhere near a blink.
  assert.ok(verdict.evidence.minEar! >= 0.29 && verdict.evidence.maxEar! < 0.32);
});

test('a blink counts relative to the open level for narrow eyes that never exceed blinkOpenEar', () => {
  const ears = [0.2, 0.19, 0.1, 0.2, 0.2];
  assert.ok(Math.max(...ears) < DEFAULT_BURST_LIVENESS_POLICY.blinkOpenEar, 'the absolute rule cannot fire');
  const verdict = assessBurstLiveness(burst(ears.map((ear) => ({ ear }))));
  assert.equal(verdict.evidence.blinkDetected, true);
  assert.equal(verdict.live, true, `reasons: ${verdict.reasons.join(', ')}`);
});

test('the median keeps one bad frame from failing an otherwise good burst', () => {
  const frames = blinkBurst();
  frames[2] = { ...frames[2]!, presentation: { antispoof: 0.01, liveness: 0.02 } };
  const verdict = assessBurstLiveness(frames);
  assert.equal(verdict.live, true);
  assert.equal(verdict.evidence.antispoofMedian, 0.9);
});

// ---- Failing bursts ----------------------------------------------------------------------------------

test('a replayed still (identical frames) fails with no_motion even when its pose claims a head turn', () => {
  const still = frame({ seed: 7 });
  const identical = assessBurstLiveness(Array.from({ length: 6 }, () => still));
  assert.equal(identical.live, false);
  assert.ok(identical.reasons.includes('no_motion'));
  assert.ok(identical.reasons.includes('duplicate_frames'));
  assert.ok(identical.reasons.includes('no_challenge'));
  assert.equal(identical.evidence.meanMotion, 0);
  assert.equal(identical.evidence.movingPairs, 0);
  // Scores are still reported, and they alone would have passed.
  assert.equal(identical.evidence.antispoofMedian, 0.9);

  // Deep copies of one mesh with forged yaw values: the challenge looks met, the motion check is not.
  const forged = [-10, -5, 0, 5, 10].map((yaw) => ({
    ...still,
    mesh: still.mesh.map((p) => ({ ...p })),
    pose: { yaw, pitch: 0, roll: 0 },
  }));
  // The forged pose no longer counts as a turn (no parallax), and identical meshes are refused outright.
  const verdict = assessBurstLiveness(forged);
  assert.equal(verdict.evidence.headTurnDetected, false);
  assert.deepEqual(verdict.reasons, ['duplicate_frames', 'no_parallax', 'no_motion']);
  assert.equal(verdict.evidence.duplicatePairs.length, 10);
  assert.equal(verdict.live, false);
});

test('open eyes, a steady head and only detector jitter fail with no_challenge', () => {
  const verdict = assessBurstLiveness(burst([0.3, 0.29, 0.31, 0.3, 0.3, 0.29].map((ear, i) => ({ ear, yawDeg: i % 2 ? 2 : -2 }))));
  assert.equal(verdict.live, false);
  assert.deepEqual(verdict.reasons, ['no_challenge']);
  assert.equal(verdict.evidence.blinkDetected, false);
  assert.equal(verdict.evidence.yawRangeDeg, 4);
  assert.ok(verdict.evidence.movingPairs > 0, 'there was motion, just no challenge');
});

test('eyes that close and stay closed, or only narrow a little, are not a blink', () => {
  const closingForGood = assessBurstLiveness(burst([0.3, 0.3, 0.2, 0.05, 0.05].map((ear) => ({ ear }))));
  assert.equal(closingForGood.evidence.blinkDetected, false);
  assert.ok(closingForGood.reasons.includes('no_challenge'));

  const squint = assessBurstLiveness(burst([0.3, 0.28, 0.25, 0.28, 0.3].map((ear) => ({ ear }))));
  assert.equal(squint.evidence.blinkDetected, false, 'a 17% narrowing is below the 40% relative drop');
  assert.ok(squint.reasons.includes('no_challenge'));
});

test('low antispoof scores fail with spoof_score_low even when a blink is present', () => {
  const verdict = assessBurstLiveness(blinkBurst({ antispoof: 0.2 }));
  assert.equal(verdict.live, false);
  assert.deepEqual(verdict.reasons, ['spoof_score_low']);
  assert.equal(verdict.evidence.antispoofMedian, 0.2);
  assert.equal(verdict.evidence.blinkDetected, true);
});

test('low liveness scores fail with liveness_score_low; non-finite scores count as zero', () => {
  const low = assessBurstLiveness(turnBurst({ liveness: 0.2 }));
  assert.deepEqual(low.reasons, ['liveness_score_low']);
  assert.equal(low.evidence.livenessMedian, 0.2);

  const nan = assessBurstLiveness(turnBurst({ antispoof: Number.NaN }));
  assert.deepEqual(nan.reasons, ['spoof_score_low']);
  assert.equal(nan.evidence.antispoofMedian, 0);
});

test('a burst shorter than minFrames fails with too_few_frames and still reports its scores', () => {
  const verdict = assessBurstLiveness(burst([{ ear: 0.3 }, { ear: 0.3, antispoof: 0.7 }]));
  assert.equal(verdict.live, false);
  assert.deepEqual(verdict.reasons, ['too_few_frames']);
  assert.equal(verdict.evidence.frames, 2);
  assert.ok(Math.abs(verdict.evidence.antispoofMedian! - 0.8) < 1e-12);
  assert.equal(verdict.evidence.livenessMedian, 0.85);
  assert.ok(verdict.evidence.meanMotion! > 0);

  const empty = assessBurstLiveness([]);
  assert.deepEqual(empty.reasons, ['too_few_frames']);
  assert.equal(empty.evidence.antispoofMedian, null);
  assert.equal(empty.evidence.minEar, null);
  assert.equal(empty.evidence.meanMotion, null);
});

// ---- Policy --------------------------------------------------------------------------------------------

test('policy thresholds are configuration: overrides change the verdict and are echoed in the evidence', () => {
  assert.equal(DEFAULT_BURST_LIVENESS_POLICY.minAntispoof, DEFAULT_PRESENTATION_POLICY.minAntispoof);
  assert.equal(DEFAULT_BURST_LIVENESS_POLICY.minLiveness, DEFAULT_PRESENTATION_POLICY.minLiveness);

  const strictTurn = assessBurstLiveness(turnBurst(), { minYawRangeDeg: 25 });
  assert.deepEqual(strictTurn.reasons, ['no_challenge']);
  assert.equal(strictTurn.evidence.policy.minYawRangeDeg, 25);
  assert.equal(
    strictTurn.evidence.policy.minAntispoof,
    DEFAULT_PRESENTATION_POLICY.minAntispoof,
    'unspecified thresholds keep their defaults',
  );

  assert.deepEqual(assessBurstLiveness(blinkBurst(), { minAntispoof: 0.95 }).reasons, ['spoof_score_low']);
  assert.equal(assessBurstLiveness(blinkBurst({ antispoof: 0.25 }), { minAntispoof: 0.2 }).live, true);
  assert.deepEqual(assessBurstLiveness(blinkBurst({ antispoof: 0.25 })).reasons, ['spoof_score_low']);
  assert.deepEqual(assessBurstLiveness(burst([{}, {}]), { minFrames: 2, minYawRangeDeg: 100 }).reasons, ['no_challenge']);

  // Without detector jitter the turn itself is the only motion; the motion threshold decides.
  const noJitter = turnBurst({ jitterPx: 0 });
  assert.equal(assessBurstLiveness(noJitter).live, true, 'yaw rotation alone moves the mesh');
  assert.ok(assessBurstLiveness(noJitter, { minMotion: 1 }).reasons.includes('no_motion'));
  // An explicit undefined does not erase a default.
  assert.equal(
    assessBurstLiveness(blinkBurst(), { minAntispoof: undefined }).evidence.policy.minAntispoof,
    DEFAULT_PRESENTATION_POLICY.minAntispoof,
  );
});

test('an inconsistent policy is rejected with InvalidArgument', () => {
  const frames = blinkBurst();
  assert.throws(() => assessBurstLiveness(frames, { blinkClosedEar: 0.3, blinkOpenEar: 0.2 }), InvalidArgument);
  assert.throws(() => assessBurstLiveness(frames, { minAntispoof: 1.5 }), InvalidArgument);
  assert.throws(() => assessBurstLiveness(frames, { minFrames: 1 }), InvalidArgument);
  assert.throws(() => assessBurstLiveness(frames, { minRelativeEarDrop: 1 }), InvalidArgument);
  assert.throws(() => assessBurstLiveness(frames, { minMotion: Number.NaN }), InvalidArgument);
});

// ---- Building blocks ---------------------------------------------------------------------------------

test('detectBlink needs a closed frame with open frames on both sides', () => {
  assert.equal(detectBlink([0.3, 0.1, 0.3]), true);
  assert.equal(detectBlink([0.1, 0.3, 0.3]), false, 'closed first frame: no reopening seen before');
  assert.equal(detectBlink([0.3, 0.3, 0.1]), false, 'closed last frame: no reopening after');
  assert.equal(detectBlink([0.3, 0.14, 0.3], { ...DEFAULT_BURST_LIVENESS_POLICY, minRelativeEarDrop: 0.9 }), true, 'absolute rule');
  assert.equal(detectBlink([0.2, 0.13, 0.2]), false, '35% relative drop and no open frame above 0.22');
  assert.equal(detectBlink([0.2, 0.12, 0.2]), true, '40% relative drop');
  assert.equal(detectBlink([]), false);
});

test('meshMotion is zero for identical meshes and scales with inter-eye distance', () => {
  const a = syntheticMesh({ jitterPx: 0 });
  assert.equal(
    meshMotion(
      a,
      a.map((p) => ({ ...p })),
    ),
    0,
  );
  const shifted = a.map((p) => ({ x: p.x + 2, y: p.y }));
  assert.ok(Math.abs(meshMotion(a, shifted) - 0.02) < 1e-12, '2 px on a 100 px inter-eye distance');
  const big = syntheticMesh({ jitterPx: 0, scale: 200 });
  assert.ok(
    Math.abs(
      meshMotion(
        big,
        big.map((p) => ({ x: p.x + 2, y: p.y })),
      ) - 0.01,
    ) < 1e-12,
  );
});

test('the depth-parallax way is off by default and, when configured, is echoed and validated', () => {
  assert.equal(DEFAULT_BURST_LIVENESS_POLICY.minDepthParallax, null);
  const verdict = assessBurstLiveness(turnBurst(), { minDepthParallax: 0.02, minDepthModelRatio: 1.5 });
  assert.equal(verdict.evidence.policy.minDepthParallax, 0.02);
  assert.ok(verdict.evidence.parallax && verdict.evidence.parallax.depthParallax > 0, JSON.stringify(verdict.evidence.parallax));
  assert.throws(() => assessBurstLiveness(turnBurst(), { minDepthModelRatio: 0.5 }), InvalidArgument);
  assert.throws(() => assessBurstLiveness(turnBurst(), { minDepthParallax: -1 }), InvalidArgument);
});
