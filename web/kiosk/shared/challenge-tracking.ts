/**
 * Live challenge tracking in the browser: the pure part is shared with the server
 * (src/kiosk/challenge-tracking.ts: the SERVER'S OWN challenge evaluation and burst judgement), so the
 * kiosk follows the shopper at the shopper's pace instead of recording a timed burst that a slow
 * person (or a fixed camera clip) cannot keep in step with. The browser's judgement is guidance only:
 * the server re-judges the frames it is sent.
 */
import type { FaceAnalysis } from '../../../src/analysis/face-analysis.js';
import { fromFrameEvidence, type FrameEvidence } from '../../../src/analysis/frame-evidence.js';
import type { BrowserFace } from '../../shared/face-engine-port';

export { MAX_SENT_FRAMES, NEUTRAL_POSE_DEG, prepareJudgement, sameBurst, selectFramesToSend, trackBurst, trackChallenge, type TrackedBurst, type TrackedPerformance } from '../../../src/kiosk/challenge-tracking.js';

/** How often the kiosk grabs and analyses a frame while tracking. */
export const TRACK_INTERVAL_MS = 170;
/**
 * After this long without every step met, the kiosk sends what it recorded and lets the server judge.
 * A person who follows the prompts needs 2–4 s; the rest is for one who hesitates or starts turned away.
 */
export const TRACK_TIMEOUT_MS = 10_000;

export function analysisOf(face: BrowserFace): FaceAnalysis {
  return fromFrameEvidence(face as FrameEvidence);
}

/**
 * After the browser sees the last step met, the kiosk records this many more frames: the server judges
 * again from its own analyses (of JPEGs, for checkout), and a step met by a hair in the browser can miss
 * by a hair there; the frames just after it, nearer the movement's peak, settle it. (Asking the browser
 * for more movement than the server needs was tried: the synthetic stand-in's turns then never count.)
 */
export const FOLLOW_THROUGH_FRAMES = 2;

/**
 * The same camera frame grabbed twice (the camera delivers slower than the kiosk asked, or stalls):
 * meshes identical point for point. The server refuses a burst holding such a pair as a replayed
 * still ('duplicate_frames'), so the kiosk keeps only the first.
 */
export function sameMesh(a: FrameEvidence | BrowserFace, b: FrameEvidence | BrowserFace): boolean {
  if (a.mesh.length !== b.mesh.length) return false;
  return a.mesh.every((p, i) => p[0] === b.mesh[i]![0] && p[1] === b.mesh[i]![1]);
}

