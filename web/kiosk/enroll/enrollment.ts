/** Turning a captured burst into the enrollment request body (pure apart from the engine calls). */
import { bytesToBase64 } from '../../../src/devices/terminal-signature.js';
import type { FaceAnalysis } from '../../../src/analysis/face-analysis.js';
import type { RgbImage } from '../../../src/imaging/rgb-image.js';
import { trackLandmarks } from '../../../src/pad/burst-tracks.js';
import { trackEvidenceOf, type TrackEvidence } from '../../../src/pad/track-evidence.js';
import type { BrowserFace, EngineFrame, FaceEnginePort } from '../../shared/face-engine-port';
import { framePixels, rgbFromRgba } from '../../engine/frame-pixels';

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
export async function templateEvidence(
  engine: FaceEnginePort,
  frames: readonly EngineFrame[],
): Promise<{ template: string; frames: ReturnType<typeof frameEvidence>[]; tracks?: TrackEvidence } | undefined> {
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
  const tracks = tracksOf(
    frames.filter((_, i) => faces[i] !== undefined),
    seen,
  );
  return { template: bytesToBase64(template), frames: seen.map(frameEvidence), ...(tracks ? { tracks } : {}) };
}

/**
 * A tracked capture already holds the engine's face for every frame it keeps: the evidence is those
 * faces, the template is made from the best of them; no image leaves the kiosk.
 */
export async function trackedEvidence(
  engine: FaceEnginePort,
  frames: readonly EngineFrame[],
  faces: readonly BrowserFace[],
): Promise<{ template: string; frames: ReturnType<typeof frameEvidence>[]; tracks?: TrackEvidence } | undefined> {
  const best = bestFaceIndex(faces);
  if (faces.length < MIN_FRAMES || best < 0 || frames.length !== faces.length) return undefined;
  const template = await engine.template(frames[best]!, faces[best]!);
  const tracks = tracksOf(frames, faces);
  return { template: bytesToBase64(template), frames: faces.map(frameEvidence), ...(tracks ? { tracks } : {}) };
}

/**
 * The kiosk follows the face through its own frames (src/pad/burst-tracks.ts, the service's code) and
 * sends where the landmarks went, never the pixels: the service then judges the burst's parallax and
 * blinks as it judges frames it holds itself. Undefined when the frames' pixels cannot be read.
 */
export function tracksOf(frames: readonly EngineFrame[], faces: readonly BrowserFace[]): TrackEvidence | undefined {
  const images = frames.map(pixelsOf);
  if (images.some((image) => image === undefined) || faces.some((face) => face.mesh.length < 468)) return undefined;
  // Tracking reads only the mesh; the scores travel in the frames' evidence.
  const analyses: FaceAnalysis[] = faces.map((face) => ({
    box: face.box,
    detectionScore: face.detectionScore,
    mesh: face.mesh.map(([x, y]) => ({ x, y })),
    meshDepth: face.meshDepth,
    pose: face.pose,
    presentation: { antispoof: 0, liveness: 0 },
  }));
  return trackEvidenceOf(trackLandmarks(images as RgbImage[], analyses));
}

/**
 * RGB of the frame, read as the engine reads it (web/engine/frame-pixels.ts); undefined when it cannot
 * be read (a video element with no picture yet, or no canvas in this environment).
 */
export function pixelsOf(frame: EngineFrame | { readonly width: number; readonly height: number; readonly data: Uint8ClampedArray }): RgbImage | undefined {
  try {
    const image = 'data' in frame && frame.data instanceof Uint8ClampedArray ? rgbFromRgba(frame) : framePixels(frame as EngineFrame);
    return image.data.length === image.width * image.height * 3 && image.data.length > 0 ? image : undefined;
  } catch {
    return undefined;
  }
}
