/**
 * A FaceService for checkout tests with liveness sessions. Each "camera frame" is the JSON of a
 * synthetic face's pose (synthetic-face-burst.ts FaceParams); bursts are judged by the real, pure
 * burst-liveness and challenge evaluations of src/pad, so a test drives the whole checkout path
 * (session → burst → challenge → identification) without models or video of real people.
 */
import type { FaceService } from '../../src/pipeline/face-service.js';
import type { AnalysedFrame, BurstOptions, BurstResult } from '../../src/pipeline/face-pipeline.js';
import { RIGID_LANDMARKS } from '../../src/pad/rigid-landmarks.js';
import type { FaceAnalysis } from '../../src/analysis/face-analysis.js';
import { assessBurstLiveness } from '../../src/pad/burst-liveness.js';
import { evaluateChallenge, type ChallengeAction } from '../../src/pad/challenge-evaluation.js';
import { burst, frame, type FaceParams } from './synthetic-face-burst.js';
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
  // Each frame carries its jitter seed, so a frame analysed on its own (a streamed one) reads as in its burst.
  return frames.map((params, i) => new TextEncoder().encode(JSON.stringify({ seed: 100 + i, ...params })));
}

/** A synthetic frame's parameters; `mirrored`: the flat picture's mirror image, its pose read as a 15° turn. */
type FrameParams = FaceParams & { readonly mirrored?: boolean };

const paramsOf = (bytes: Uint8Array): FrameParams => JSON.parse(new TextDecoder().decode(bytes)) as FrameParams;

/** A frame's analysis: mirrored as a flipped photo would be, when its parameters say so. */
function mirroredIf(params: FrameParams, face: FaceAnalysis): FaceAnalysis {
  return params.mirrored ? { ...face, mesh: face.mesh.map((p) => ({ x: 640 - p.x, y: p.y })), pose: { ...face.pose, yaw: 15 } } : face;
}

/**
 * Frames of one flat picture and its mirror image swapped back and forth: the pose swings, nothing is
 * a head (the synthetic face is symmetric, so burst liveness finds no parallax rather than the mirror).
 */
export function flatAndMirrored(): Uint8Array[] {
  const frames: FrameParams[] = [{ seed: 100 }, { seed: 101, mirrored: true }, { seed: 102 }, { seed: 100, mirrored: true }];
  return frames.map((params) => new TextEncoder().encode(JSON.stringify({ yawDeg: 0, ...params })));
}

/** Reads frames made by `performing` back into the analyses the pad evaluations take. */
export function analysesOf(frames: readonly Uint8Array[]) {
  const params = frames.map(paramsOf);
  return burst(params).map((face, i) => mirroredIf(params[i]!, face));
}

/** A passing quality and PAD verdict for a synthetic face. */
function describedOf(analysis: FaceAnalysis) {
  return {
    face: { box: analysis.box, detectionScore: 0.98, pose: analysis.pose, landmarks: 478 },
    quality: { score: 0.9, acceptable: true, reasons: [] },
    presentation: { passed: true, reasons: [], scores: { antispoof: 0.9, liveness: 0.85 } },
    templates: [],
  } as unknown as AnalysedFrame['described'];
}

/**
 * Live bursts (that met their challenge, when given one) yield `template` as their best frame's, sent
 * whole (assessBurst) or streamed frame by frame (analyzeFrame, then assessAnalysedBurst).
 */
export function syntheticBurstFaces(
  template: Uint8Array,
  observe: { readonly analysedBurst?: (options: BurstOptions | undefined) => void } = {},
): FaceService {
  const refuse = (): Promise<never> => Promise.reject(new Error('only bursts are analysed here'));
  const judge = (analyses: readonly FaceAnalysis[], options: BurstOptions | undefined): BurstResult => {
    const liveness = assessBurstLiveness(analyses);
    const challenge = options?.challenge ? { challenge: evaluateChallenge(analyses, options.challenge) } : {};
    // What a perfect tracker reports on the synthetic surface (each landmark where the frame's mesh has
    // it), or the tracks handed back; said, as the pipeline says what it followed, but not judged on.
    const tracks = options?.tracks ?? {
      landmarks: RIGID_LANDMARKS,
      points: analyses.map((face) => RIGID_LANDMARKS.map((i) => face.mesh[i]!)),
      eyeChange: analyses.map(() => 0),
    };
    const result: BurstResult = { frames: analyses.length, liveness, ...challenge, tracks };
    if (!liveness.live || challenge.challenge?.met === false) return result;
    const best = { frameIndex: 0, ...describedOf(analyses[0]!), templates: [{ engine: 'dlib-resnet', engineVersion: '', template }] } as unknown as NonNullable<BurstResult['best']>;
    return { ...result, best };
  };
  return {
    detect: refuse,
    process: refuse,
    assessBurst: async (frames, options) => judge(analysesOf(frames), options),
    analyzeFrame: async (image) => {
      const params = paramsOf(image);
      const face = mirroredIf(params, frame(params));
      return { face, described: describedOf(face) };
    },
    assessAnalysedBurst: async (frames, options) => {
      observe.analysedBurst?.(options);
      return judge(
        frames.map((f) => f.analysis.face),
        options,
      );
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
