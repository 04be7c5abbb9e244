/**
 * Following a shopper through a liveness session's challenge, frame by frame: which steps are met so
 * far (the server's own challenge evaluation, src/pad/challenge-evaluation.ts), from which frame the
 * performance is judged, which frames form the burst to send, and whether the server's whole
 * judgement of a burst (judgeBurst: burst liveness and the challenge) passes on them.
 *
 * One piece of code, two users: the browser kiosks follow the shopper on their own analyses (guidance:
 * the server judges again), and a checkout kiosk's stream (checkout/session-frames.ts) runs it on the
 * server's analyses of the frames streamed so far, so it can tell the kiosk the moment they answer
 * the challenge, and which of them to name. Pure.
 */
import type { FaceAnalysis } from '../analysis/face-analysis.js';
import { resolveBurstLivenessPolicy, type BurstLivenessPolicy } from '../pad/burst-liveness.js';
import type { BurstTracks } from '../pad/burst-tracks.js';
import { evaluateChallenge, parseChallenge, type ChallengeVerdict } from '../pad/challenge-evaluation.js';
import { judgeBurst } from '../pad/judge-burst.js';
import { pairGeometry } from '../pad/burst-geometry.js';

/**
 * The most frames a checkout or enrollment request carries (the API takes 3–15). The server judges
 * every pair of them (burst liveness: a planar and a rigid 3-D fit each), so its work grows with the
 * square: 8 frames are 28 pairs, 15 were 105, and the judgement of 15 took 0.2–0.5 s on the 2-core
 * machine, on the shopper's time. 8 cover a performance tracked at ~6 frames a second (frame 0, each
 * step's frame, the last, evenly spaced ones between), and the PAD figures (docs/liveness.md) were
 * measured on bursts of 7 bona fide frames.
 */
export const MAX_SENT_FRAMES = 8;

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
 * frame (where the performance, or a capture that timed out, ended), and the rest evenly spaced
 * between them (the burst liveness wants motion across the whole performance).
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

export interface TrackedBurst extends TrackedPerformance {
  /** The burst to send: indices into the tracked analyses, ascending, at most MAX_SENT_FRAMES, from `start`. */
  readonly burst: readonly number[];
  /**
   * The whole judgement of the analyses (burst liveness and the challenge, judgeBurst) passes on
   * `burst`: the server's, where it judges analyses alone (an enrollment's evidence without tracks).
   * Judged only once every step is met on a burst long enough to be judged (the policy's minFrames):
   * before that it cannot pass, and the judgement is the costly part. With `judge: false`, not judged:
   * true as soon as that is so (the caller judges).
   */
  readonly live: boolean;
}

/**
 * Where the performance stands after the latest frame: its steps, the burst that would be sent now,
 * and whether the server would take it. A challenge can be met while the burst's motion is still
 * short of what burst liveness asks (the mesh's landmarks show a stand-in head's 3-D shape only on the
 * way back); then `live` is false and the kiosk keeps following the shopper instead of sending a
 * burst bound to fail.
 */
export function trackBurst(
  analyses: readonly FaceAnalysis[],
  challenge: readonly string[],
  policy: Partial<BurstLivenessPolicy> = {},
  options: {
    readonly judge?: boolean;
    /**
     * The tracks of the frames at `burst` (indices into `analyses`), where the caller holds their
     * pixels (burst-tracks.ts BurstTracker): the judgement is then the one the server makes of a burst
     * sent with its tracks; without, of analyses alone.
     */
    readonly tracksOf?: (burst: readonly number[]) => BurstTracks | null;
  } = {},
): TrackedBurst {
  const tracked = trackChallenge(analyses, challenge);
  const performance = analyses.length - tracked.start;
  const burst = selectFramesToSend(performance, tracked.verdict.steps.map((step) => step.atFrame)).map((i) => i + tracked.start);
  const judged = () =>
    judgeBurst(
      burst.map((i) => analyses[i]!),
      { policy, challenge: parseChallenge(challenge), tracks: options.tracksOf?.(burst) ?? null },
    ).live;
  // A challenge met within two frames (a shopper caught mid-turn) is too short a burst to judge yet.
  const judgeable = () => burst.length >= resolveBurstLivenessPolicy(policy).minFrames;
  const live = tracked.verdict.met && judgeable() && (options.judge === false || judged());
  return { ...tracked, burst, live };
}

/**
 * Makes, ahead of need, the pair fits the judgement of a burst from `start` will ask about the latest
 * of `analyses`: its pair with every earlier frame from `start` (burst-geometry.ts keeps them per pair
 * of analyses). A kiosk calls it for each frame it keeps while the challenge is still being performed,
 * so the judgement once every step is met costs the fits of one frame, not of the whole burst's
 * n(n−1)/2 pairs (28 for 8 frames: 0.1 s in the browser, on the shopper's time).
 */
export function prepareJudgement(analyses: readonly FaceAnalysis[], start: number): void {
  const latest = analyses.length - 1;
  for (let i = Math.max(0, start); i < latest; i += 1) pairGeometry(analyses, i, latest);
}

/** Whether two bursts name the same frames, in the same order (the burst judged is the burst named). */
export function sameBurst(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((index, i) => index === b[i]);
}
