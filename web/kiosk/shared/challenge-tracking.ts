/**
 * Live challenge tracking, the pure part: the analyses the kiosk made of the frames since the capture
 * began go through the SERVER'S OWN challenge evaluation (src/pad/challenge-evaluation.ts), so the
 * kiosk follows the shopper at the shopper's pace instead of recording a timed burst that a slow
 * person (or a fixed camera clip) cannot keep in step with. The browser's judgement is guidance only:
 * the server re-judges the frames it is sent.
 */
import type { FaceAnalysis } from '../../../src/analysis/face-analysis.js';
import { fromFrameEvidence, type FrameEvidence } from '../../../src/analysis/frame-evidence.js';
import { evaluateChallenge, parseChallenge, type ChallengeAction, type ChallengeVerdict } from '../../../src/pad/challenge-evaluation.js';
import { judgeBurst } from '../../../src/pad/judge-burst.js';
import type { BrowserFace } from '../../shared/face-engine-port';

/**
 * The most frames a checkout or enrollment request carries (the API takes 3–15). The server judges
 * every pair of them (burst liveness: a planar and a rigid 3-D fit each), so its work grows with the
 * square: 8 frames are 28 pairs, 15 were 105, and the judgement of 15 took 0.2–0.5 s on the 2-core
 * machine, on the shopper's time. 8 cover a performance tracked at ~6 frames a second (frame 0, each
 * step's frame, the last, evenly spaced ones between), and the PAD figures (docs/liveness.md) were
 * measured on bursts of 7 bona fide frames.
 */
export const MAX_SENT_FRAMES = 8;
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

/** Head turned or tilted less than this (degrees) reads as facing the camera: where a performance can begin. */
export const NEUTRAL_POSE_DEG = 8;

export interface TrackedPerformance {
  /** The tracked frame the performance is judged from; the burst sent begins there. */
  readonly start: number;
  /** The server's evaluation of the frames from `start` on; each step's `atFrame` counts from `start`. */
  readonly verdict: ChallengeVerdict;
}

const metSteps = (verdict: ChallengeVerdict): number => verdict.steps.filter((step) => step.met).length;

/**
 * Which steps are met so far, judged by the server's own code and thresholds on the tracked analyses,
 * from the earliest frame a performance can begin at: frame 0, or a later frame in which the shopper
 * faces the camera. Every step is measured from where the previous one completed, the first from the
 * start: a shopper still turned away when the session began (or a looping clip caught mid-turn) could
 * otherwise never meet a turn the same way. Without a full performance, the start that met most steps.
 */
export function trackChallenge(analyses: readonly FaceAnalysis[], challenge: readonly string[]): TrackedPerformance {
  const actions = parseChallenge(challenge);
  let best: TrackedPerformance = { start: 0, verdict: evaluateChallenge(analyses, actions) };
  if (best.verdict.met) return best;
  for (let start = 1; start < analyses.length - 1; start += 1) {
    const { yaw, pitch } = analyses[start]!.pose;
    if (Math.abs(yaw) > NEUTRAL_POSE_DEG || Math.abs(pitch) > NEUTRAL_POSE_DEG) continue;
    const verdict = evaluateChallenge(analyses.slice(start), actions);
    if (verdict.met) return { start, verdict };
    if (metSteps(verdict) > metSteps(best.verdict)) best = { start, verdict };
  }
  return best;
}

/**
 * The frames to send, of `total` tracked ones (indices, ascending, no repeats, at most `max`): frame 0
 * (every step is measured from where the previous one completed, the first from frame 0), every step's
 * `atFrame` (so the server's evaluation of the subset finds each step where the kiosk did), the last
 * frame (the follow-through after the last step, or where a capture that timed out ended), and the
 * rest evenly spaced between them (the burst liveness wants motion across the whole performance).
 * When the anchors alone exceed `max`, the first `max` anchors are kept.
 */
export function selectFramesToSend(total: number, atFrames: ReadonlyArray<number | null>, max = MAX_SENT_FRAMES): number[] {
  if (total <= 0 || max <= 0) return [];
  if (total <= max) return Array.from({ length: total }, (_, i) => i);
  const anchors = [...new Set([0, ...atFrames.filter((f): f is number => f !== null && f >= 0 && f < total)])].sort((a, b) => a - b);
  if (!anchors.includes(total - 1)) anchors.push(total - 1);
  if (anchors.length >= max) return anchors.slice(0, max);
  const chosen = new Set(anchors);
  const last = anchors[anchors.length - 1]!;
  // Spread the remaining picks over the span the anchors cover, one evenly spaced grid, skipping anchors.
  const free = Array.from({ length: last + 1 }, (_, i) => i).filter((i) => !chosen.has(i));
  const extra = Math.min(max - anchors.length, free.length);
  for (let k = 0; k < extra; k += 1) chosen.add(free[Math.floor(((k + 0.5) * free.length) / extra)]!);
  return [...chosen].sort((a, b) => a - b);
}

/**
 * The same camera frame grabbed twice (the camera delivers slower than the kiosk asked, or stalls):
 * meshes identical point for point. The server refuses a burst holding such a pair as a replayed
 * still ('duplicate_frames'), so the kiosk keeps only the first.
 */
export function sameMesh(a: FrameEvidence | BrowserFace, b: FrameEvidence | BrowserFace): boolean {
  if (a.mesh.length !== b.mesh.length) return false;
  return a.mesh.every((p, i) => p[0] === b.mesh[i]![0] && p[1] === b.mesh[i]![1]);
}

/**
 * Whether the server would take the burst the kiosk is about to send: its own judgement (burst
 * liveness: a 3-D head that moves; and the challenge) on the frames `selectFramesToSend` picks from
 * the performance. A challenge can be met while the burst's motion is still short of what burst
 * liveness asks; then the kiosk keeps following the shopper instead of sending a burst bound to fail.
 */
export function serverWouldAccept(analyses: readonly FaceAnalysis[], tracked: TrackedPerformance, challenge: readonly string[]): boolean {
  const performance = analyses.slice(tracked.start);
  const sent = selectFramesToSend(performance.length, tracked.verdict.steps.map((step) => step.atFrame)).map((i) => performance[i]!);
  return judgeBurst(sent, { challenge: parseChallenge(challenge) as ChallengeAction[] }).live;
}
