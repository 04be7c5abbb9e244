/**
 * A FaceService for checkout tests with liveness sessions. Each "camera frame" is the JSON of a
 * synthetic face's pose (synthetic-face-burst.ts FaceParams); bursts are judged by the real, pure
 * burst-liveness and challenge evaluations of src/pad, so a test drives the whole checkout path
 * (session → burst → challenge → identification) without models or video of real people.
 */
import type { FaceService } from '../../src/pipeline/face-service.js';
import type { BurstResult } from '../../src/pipeline/face-pipeline.js';
import { assessBurstLiveness } from '../../src/pad/burst-liveness.js';
import { evaluateChallenge, type ChallengeAction } from '../../src/pad/challenge-evaluation.js';
import { burst, type FaceParams } from './synthetic-face-burst.js';
import { toFrameEvidence, type FrameEvidence } from '../../src/analysis/frame-evidence.js';

const OPEN_EAR = 0.3;

/** The frames of a face performing `actions` in order, as the terminal's camera would send them. */
export function performing(actions: readonly string[]): Uint8Array[] {
  let pose = { yawDeg: 0, pitchDeg: 0 };
  const frames: FaceParams[] = [{ ...pose, ear: OPEN_EAR }];
  for (const action of actions) {
    if (action === 'blink') {
      frames.push({ ...pose, ear: OPEN_EAR }, { ...pose, ear: 0.05 }, { ...pose, ear: OPEN_EAR });
      continue;
    }
    const step = { turn_left: [7, 0], turn_right: [-7, 0], look_down: [0, 7], look_up: [0, -7] }[
      action as Exclude<ChallengeAction, 'blink'>
    ];
    for (let i = 0; i < 2; i += 1) {
      pose = { yawDeg: pose.yawDeg + step[0]!, pitchDeg: pose.pitchDeg + step[1]! };
      frames.push({ ...pose, ear: OPEN_EAR });
    }
  }
  return frames.map((params) => new TextEncoder().encode(JSON.stringify(params)));
}

/** Reads frames made by `performing` back into the analyses the pad evaluations take. */
export function analysesOf(frames: readonly Uint8Array[]) {
  return burst(frames.map((bytes) => JSON.parse(new TextDecoder().decode(bytes)) as FaceParams));
}

/** Live bursts (that met their challenge, when given one) yield `template` as their best frame's. */
export function syntheticBurstFaces(template: Uint8Array): FaceService {
  const refuse = (): Promise<never> => Promise.reject(new Error('only bursts are analysed here'));
  return {
    detect: refuse,
    process: refuse,
    assessBurst: async (frames, options) => {
      const analyses = analysesOf(frames);
      const liveness = assessBurstLiveness(analyses);
      const challenge = options?.challenge ? { challenge: evaluateChallenge(analyses, options.challenge) } : {};
      const result: BurstResult = { frames: frames.length, liveness, ...challenge };
      if (!liveness.live || challenge.challenge?.met === false) return result;
      const best = {
        frameIndex: 0,
        face: { box: analyses[0]!.box, detectionScore: 0.98, pose: analyses[0]!.pose, landmarks: 478 },
        quality: { score: 0.9, acceptable: true, reasons: [] },
        presentation: { passed: true, reasons: [], scores: { antispoof: 0.9, liveness: 0.85 } },
        templates: [{ engine: 'dlib-resnet', engineVersion: '', template }],
      } as unknown as NonNullable<BurstResult['best']>;
      return { ...result, best };
    },
    isReady: () => true,
    close: async () => {},
  };
}

/** An analysis as an enrollment kiosk sends it (src/analysis/frame-evidence.ts): points as [x, y] pairs. */
export function frameEvidenceOf(analysis: ReturnType<typeof analysesOf>[number]): FrameEvidence {
  return toFrameEvidence(analysis, { width: 640, height: 480 });
}

/** The FrameEvidence of a face performing `actions` in order, as a kiosk's browser analyzer would report it. */
export function evidencePerforming(actions: readonly string[]) {
  return analysesOf(performing(actions)).map(frameEvidenceOf);
}
