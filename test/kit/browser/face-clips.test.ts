/**
 * The clips against the server's own judgement: the stand-in's frames (as JPEGs, as a kiosk sends
 * them) go through the in-process face service's burst analysis, i.e. the same analyzer,
 * assessBurstLiveness and evaluateChallenge checkout runs (src/pipeline/face-pipeline.ts assessBurst).
 * Slow (a few seconds of mesh analysis per burst); skipped without the shared data sets.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createInProcessFaceService } from '../../../src/pipeline/in-process-face-service.js';
import type { FaceService } from '../../../src/pipeline/face-service.js';
import type { ChallengeAction } from '../../../src/pad/challenge-evaluation.js';
import { renderHead } from '../../../src/eval/pad/synthetic-head-render.js';
import { sharedDataMissingReason } from '../../shared-data.js';
import {
  burstWindow,
  flatPictureFrames,
  framedPhoto,
  FULL_PERFORMANCE,
  jpegOf,
  performancePoses,
  prepareHead,
  STAND_IN_FACES,
  withSensorNoise,
  type FlatMotion,
} from './face-clips.js';

const skip = sharedDataMissingReason();

describe('face clips, judged by the server pipeline', { skip }, () => {
  let faces: FaceService;
  before(async () => {
    faces = await createInProcessFaceService([]);
  });
  after(async () => faces?.close());

  const judge = (frames: Uint8Array[], challenge: ChallengeAction[]) => faces.assessBurst(frames, { engines: [], challenge });

  for (const name of STAND_IN_FACES) {
    test(`the stand-in of ${name} turning left then right is live and meets that challenge`, async () => {
      const head = await prepareHead(name);
      const performance = performancePoses(FULL_PERFORMANCE);
      const challenge: ChallengeAction[] = ['turn_left', 'turn_right'];
      const window = burstWindow(performance, challenge);
      const frames = await Promise.all(
        window.map((i) => jpegOf(withSensorNoise(renderHead(head.model, performance.poses[i]!, head.backdrop), i + 1))),
      );
      const result = await judge(frames, challenge);
      const { liveness } = result;
      const parallax = liveness.evidence.parallax;
      console.log(
        `${name}: live ${liveness.live} ${liveness.reasons.join(',')} ratio ${parallax?.ratio.toFixed(2)} (threshold ${liveness.evidence.policy.minModelRatio}) ` +
          `yaw range ${liveness.evidence.yawRangeDeg.toFixed(1)}° challenge ${result.challenge?.steps.map((s) => `${s.action} ${s.measured.toFixed(1)}`).join(', ')}`,
      );
      assert.equal(liveness.live, true, `refused: ${liveness.reasons.join(', ')}, planar/rigid ratio ${parallax?.ratio}`);
      assert.equal(result.challenge?.met, true);
      assert.ok(result.challenge.steps[0]!.atFrame! < result.challenge.steps[1]!.atFrame!, 'left before right');
      // Turns are measured from where the previous step ended (coming back from the left is a turn to the
      // right), but a look the clip does not perform is not met by the same frames.
      assert.equal((await judge(frames, ['look_up', 'turn_left'])).challenge?.met, false);
    });
  }

  test('the stand-in looks up and down as asked (a session may ask a look beside a turn)', async () => {
    const head = await prepareHead(STAND_IN_FACES[0]!);
    const performance = performancePoses(['turn_left', 'look_up', 'look_down']);
    const window = burstWindow(performance, ['turn_left', 'look_up', 'look_down']);
    const frames = await Promise.all(window.map((i) => jpegOf(withSensorNoise(renderHead(head.model, performance.poses[i]!, head.backdrop), i + 1))));
    const result = await judge(frames, ['turn_left', 'look_up', 'look_down']);
    console.log(`looks: ${result.challenge?.steps.map((s) => `${s.action} ${s.met} ${s.measured.toFixed(1)}`).join(', ')}`);
    assert.equal(result.challenge?.met, true);
  });

  for (const motion of ['still', 'shift', 'rotate', 'mirror'] as FlatMotion[]) {
    test(`the photo shown as a flat picture (${motion}) is refused`, async () => {
      const photo = await framedPhoto(STAND_IN_FACES[0]!);
      const frames = await Promise.all(flatPictureFrames(photo, motion, 10).map((f) => jpegOf(f)));
      const result = await judge(frames, ['turn_left', 'turn_right']);
      console.log(`flat ${motion}: live ${result.liveness.live} ${result.liveness.reasons.join(',')} ratio ${result.liveness.evidence.parallax?.ratio.toFixed(2)}`);
      assert.equal(result.liveness.live, false);
      assert.ok(result.liveness.reasons.length > 0);
    });
  }
});
