/** Turning a captured burst into the enrollment request body (pure apart from the engine calls). */
import { bytesToBase64 } from '../../../src/devices/terminal-signature.js';
import { trackEvidenceOf, type TrackEvidence } from '../../../src/pad/track-evidence.js';
import type { BrowserFace, EngineFrame, FaceEnginePort } from '../../shared/face-engine-port';
import { TracksHere } from '../shared/pixel-tracks';
import { analysisOf } from '../shared/challenge-tracking';

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

/** How fit a frame is to enroll: a confident detection, looking straight at the camera (0–2). */
export function enrollmentScore(face: BrowserFace): number {
  const frontal = 1 - Math.min(1, (Math.abs(face.pose.yaw) + Math.abs(face.pose.pitch)) / 60);
  return face.detectionScore + frontal;
}

/** The frame to enroll: a confident detection looking most straight at the camera. */
export function bestFaceIndex(faces: ReadonlyArray<BrowserFace | undefined>): number {
  let best = -1;
  let bestScore = -Infinity;
  faces.forEach((face, index) => {
    if (!face) return;
    const score = enrollmentScore(face);
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
  // The frames with one face are then a tracked capture's: its faces, the best one's template, its tracks.
  const kept = frames.filter((_, i) => faces[i] !== undefined);
  const seen = faces.filter((f): f is BrowserFace => f !== undefined);
  return trackedEvidence(engine, kept, seen);
}

/**
 * A tracked capture already holds the engine's face for every frame it keeps, and the tracks it made
 * of them while the shopper moved: the evidence is those faces and tracks, the template is made from
 * the best of them; no image leaves the kiosk.
 */
export async function trackedEvidence(
  engine: FaceEnginePort,
  frames: readonly EngineFrame[],
  faces: readonly BrowserFace[],
  followed?: TrackEvidence,
  ahead?: TemplateAhead,
): Promise<{ template: string; frames: ReturnType<typeof frameEvidence>[]; tracks?: TrackEvidence } | undefined> {
  const best = bestFaceIndex(faces);
  if (faces.length < MIN_FRAMES || best < 0 || frames.length !== faces.length) return undefined;
  const template = (await ahead?.templateFor(frames, faces)) ?? (await engine.template(frames[best]!, faces[best]!));
  const tracks = followed ?? (await tracksOf(frames, faces));
  return { template: bytesToBase64(template), frames: faces.map(frameEvidence), ...(tracks ? { tracks } : {}) };
}

/**
 * A score this close to the best frame's is as good to enroll (0.05: three degrees of pose, or five
 * points of detection confidence): the template made ahead of such a frame is kept, not made again.
 */
export const AS_GOOD_TO_ENROLL = 0.05;

/**
 * The template made in the capture's spare time (browser-tracking.ts `spareTime`): of the best frame
 * so far, made again only when a clearly better one comes; the enrollment then uses it when its
 * frame is in the burst sent and as good as the burst's best, so the answer does not wait for it.
 */
export class TemplateAhead {
  private made: { readonly frame: EngineFrame; readonly face: BrowserFace; readonly template: Promise<Uint8Array> } | undefined;

  constructor(private readonly engine: FaceEnginePort) {}

  async prepare(frames: readonly EngineFrame[], faces: readonly BrowserFace[]): Promise<void> {
    const best = bestFaceIndex(faces);
    // A template made of a frame no longer among these (an earlier capture's) does not count.
    const made = this.made && frames.includes(this.made.frame) ? this.made : undefined;
    if (best < 0 || (made && (made.frame === frames[best] || asGood(made.face, faces[best]!)))) return;
    const template = this.engine.template(frames[best]!, faces[best]!);
    this.made = { frame: frames[best]!, face: faces[best]!, template };
    await template;
  }

  /** The template made ahead, if its frame is one of `frames` and as good as their best; else undefined. */
  async templateFor(frames: readonly EngineFrame[], faces: readonly BrowserFace[]): Promise<Uint8Array | undefined> {
    const made = this.made;
    const best = bestFaceIndex(faces);
    if (!made || best < 0 || !frames.includes(made.frame) || !asGood(made.face, faces[best]!)) return undefined;
    return made.template.catch(() => undefined);
  }
}

const asGood = (made: BrowserFace, best: BrowserFace) => enrollmentScore(best) - enrollmentScore(made) <= AS_GOOD_TO_ENROLL;

/**
 * The kiosk follows the face through its own frames (src/pad/burst-tracks.ts, the service's code) and
 * sends where the landmarks went, never the pixels: the service then judges the burst's parallax and
 * blinks as it judges frames it holds itself. Undefined when the frames' pixels cannot be read. A
 * tracked capture has made them while the shopper moved (CapturedBurst.tracks); this is for the rest.
 */
export async function tracksOf(frames: readonly EngineFrame[], faces: readonly BrowserFace[]): Promise<TrackEvidence | undefined> {
  const tracks = new TracksHere();
  if (frames.length !== faces.length || !frames.every((frame, k) => tracks.add(frame, analysisOf(faces[k]!)))) return undefined;
  const followed = await tracks.tracksOf(frames.map((_, k) => k));
  return followed ? trackEvidenceOf(followed) : undefined;
}
