/** Turning a captured burst into the enrollment request body (pure apart from the engine calls). */
import { bytesToBase64 } from '../../../src/devices/terminal-signature.js';
import type { BrowserFace, EngineFrame, FaceEnginePort } from '../../shared/face-engine-port';

export interface ConsentChoice {
  readonly textVersion: string;
  readonly purposes: readonly string[];
  readonly jurisdiction: string;
}

/** FrameEvidence as the contract sends it: FaceAnalysis with points as pairs. */
export function frameEvidence(face: BrowserFace) {
  return {
    width: face.width,
    height: face.height,
    box: face.box,
    detectionScore: face.detectionScore,
    mesh: face.mesh.map(([x, y]) => [x, y]),
    meshDepth: [...face.meshDepth],
    pose: face.pose,
    presentation: face.presentation,
  };
}

/** The frame to enroll: a confident detection looking most straight at the camera. */
export function bestFaceIndex(faces: ReadonlyArray<BrowserFace | undefined>): number {
  let best = -1;
  let bestScore = -Infinity;
  faces.forEach((face, index) => {
    if (!face) return;
    const frontal = 1 - Math.min(1, (Math.abs(face.pose.yaw) + Math.abs(face.pose.pitch)) / 60);
    const score = face.detectionScore + frontal;
    if (score > bestScore) {
      bestScore = score;
      best = index;
    }
  });
  return best;
}

export const MIN_FRAMES = 3;

/** Analyses every frame in the browser and makes the template from the best one; no image leaves the kiosk. */
export async function templateEvidence(engine: FaceEnginePort, frames: readonly EngineFrame[]): Promise<{ template: string; frames: ReturnType<typeof frameEvidence>[] } | undefined> {
  const faces: Array<BrowserFace | undefined> = [];
  for (const frame of frames) {
    const found = await engine.analyze(frame);
    // A frame with two people is not evidence of one person's liveness.
    faces.push(found.length === 1 ? found[0] : undefined);
  }
  const seen = faces.filter((f): f is BrowserFace => f !== undefined);
  const best = bestFaceIndex(faces);
  if (seen.length < MIN_FRAMES || best < 0) return undefined;
  const template = await engine.template(frames[best]!, faces[best]!);
  return { template: bytesToBase64(template), frames: seen.map(frameEvidence) };
}

/**
 * A tracked capture already holds the engine's face for every frame it keeps: the evidence is those
 * faces, the template is made from the best of them; no image leaves the kiosk.
 */
export async function trackedEvidence(
  engine: FaceEnginePort,
  frames: readonly EngineFrame[],
  faces: readonly BrowserFace[],
): Promise<{ template: string; frames: ReturnType<typeof frameEvidence>[] } | undefined> {
  const best = bestFaceIndex(faces);
  if (faces.length < MIN_FRAMES || best < 0 || frames.length !== faces.length) return undefined;
  const template = await engine.template(frames[best]!, faces[best]!);
  return { template: bytesToBase64(template), frames: faces.map(frameEvidence) };
}
