import type { FaceAnalysis } from '../analysis/face-analysis.js';
import { InvalidArgument } from '../errors/domain-errors.js';
import { rectifiedEyeAspectRatios, relativeHeadRotation } from './burst-geometry.js';
import { findTrackedBlink } from './tracked-blink.js';

/**
 * Challenge-response: a liveness session asks for actions in an order ('turn_left' then 'blink'…);
 * this decides, from the analyses of one burst in capture order, whether each action happens after the
 * previous one completed, and says at which frames. Pure: the session (storage, expiry, binding to a
 * terminal) lives elsewhere and calls this together with assessBurstLiveness, which judges that the
 * frames show a 3-D, moving face at all.
 *
 * Directions are the subject's own, facing the camera: turning to one's left moves the nose towards
 * the image's right (cameras do not mirror; a preview that mirrors must not change the capture).
 */
export const CHALLENGE_ACTIONS = ['turn_left', 'turn_right', 'look_up', 'look_down', 'blink'] as const;
export type ChallengeAction = (typeof CHALLENGE_ACTIONS)[number];

export interface ChallengePolicy {
  /** Rotation from the frame where the previous action completed, degrees (rigid 3-D fit). */
  readonly minTurnDeg: number;
  readonly minPitchDeg: number;
  /** A blink: rectified eye aspect ratio at least this fraction below the open level before and after. */
  readonly minRelativeEarDrop: number;
}

export const DEFAULT_CHALLENGE_POLICY: ChallengePolicy = { minTurnDeg: 10, minPitchDeg: 8, minRelativeEarDrop: 0.4 };

export interface ChallengeStepEvidence {
  readonly action: ChallengeAction;
  readonly met: boolean;
  /** The frame the step was measured from (where the previous step completed). */
  readonly fromFrame: number;
  /** The frame at which the action was complete; null when it never was. */
  readonly atFrame: number | null;
  /** Degrees for turns and looks (largest reached), relative eye-aspect drop for a blink. */
  readonly measured: number;
}

export interface ChallengeVerdict {
  readonly met: boolean;
  readonly steps: readonly ChallengeStepEvidence[];
  readonly policy: ChallengePolicy;
}

export function parseChallenge(actions: readonly string[]): ChallengeAction[] {
  const unknown = actions.filter((a) => !(CHALLENGE_ACTIONS as readonly string[]).includes(a));
  if (actions.length === 0 || unknown.length > 0) {
    throw new InvalidArgument(`a challenge is a non-empty list of ${CHALLENGE_ACTIONS.join(', ')}`, { unknown });
  }
  return actions as ChallengeAction[];
}

/**
 * What the pixels said about the eyes, when the burst was tracked (burst-liveness evidence): per frame,
 * the eye change against frame 0 (null where not usable) and the change that counts as closed lids.
 */
export interface TrackedEyes {
  readonly eyeChange: ReadonlyArray<number | null>;
  readonly minEyeChange: number;
}

export function evaluateChallenge(
  frames: readonly FaceAnalysis[],
  challenge: readonly ChallengeAction[],
  policy: ChallengePolicy = DEFAULT_CHALLENGE_POLICY,
  trackedEyes: TrackedEyes | null = null,
): ChallengeVerdict {
  parseChallenge(challenge);
  // Only a blink reads the eyes (each frame rectified onto the first: a homography per frame).
  const ears = frames.length > 0 && challenge.includes('blink') ? rectifiedEyeAspectRatios(frames) : [];
  const steps: ChallengeStepEvidence[] = [];
  let cursor = 0;
  let failed = false;
  for (const action of challenge) {
    if (failed) {
      steps.push({ action, met: false, fromFrame: cursor, atFrame: null, measured: 0 });
      continue;
    }
    const step =
      action === 'blink' ? earlier(findBlink(ears, cursor, policy), blinkInPixels(trackedEyes, cursor)) : findRotation(frames, cursor, action, policy);
    steps.push({ action, ...step, fromFrame: cursor });
    if (step.atFrame === null) failed = true;
    else cursor = step.atFrame;
  }
  return { met: !failed && steps.length > 0, steps, policy };
}

/** Where a step was found from its cursor: met, at which frame, and what was measured there. */
type StepFound = { met: boolean; atFrame: number | null; measured: number };

function findRotation(
  frames: readonly FaceAnalysis[],
  from: number,
  action: Exclude<ChallengeAction, 'blink'>,
  policy: ChallengePolicy,
): StepFound {
  let best = 0;
  for (let j = from + 1; j < frames.length; j += 1) {
    const r = relativeHeadRotation(frames, from, j);
    const amount =
      action === 'turn_left'
        ? r.towardsImageRightDeg
        : action === 'turn_right'
          ? -r.towardsImageRightDeg
          : action === 'look_down'
            ? r.downDeg
            : -r.downDeg;
    best = Math.max(best, amount);
    const needed = action === 'turn_left' || action === 'turn_right' ? policy.minTurnDeg : policy.minPitchDeg;
    if (amount >= needed) return { met: true, atFrame: j, measured: amount };
  }
  return { met: false, atFrame: null, measured: best };
}

/**
 * A blink seen in the pixels: a frame whose eyes changed by `minEyeChange` against the face, then a
 * frame back under half of that. The eye change is measured against frame 0, so only a blink asked
 * first (from frame 0) can be read this way: after a turn the eyes differ from frame 0's for the turn.
 * `measured` is the eye change, not an eye-ratio drop.
 */
function blinkInPixels(tracked: TrackedEyes | null, from: number): StepFound {
  const blink = tracked !== null && from === 0 ? findTrackedBlink(tracked.eyeChange, tracked.minEyeChange) : null;
  return blink ? { met: true, atFrame: blink.reopenedAt, measured: blink.change } : { met: false, atFrame: null, measured: 0 };
}

/** Of two ways of finding a step, the one met earlier (the next step is measured from there). */
function earlier(a: StepFound, b: StepFound): StepFound {
  if (a.atFrame === null) return b.atFrame === null ? a : b;
  if (b.atFrame === null) return a;
  return b.atFrame < a.atFrame ? b : a;
}

/** A closed frame after `from` with a more open frame before it (from `from` on) and one after it. */
function findBlink(
  ears: readonly number[],
  from: number,
  policy: ChallengePolicy,
): StepFound {
  let best = 0;
  for (let k = from + 1; k < ears.length - 1; k += 1) {
    const before = Math.max(...ears.slice(from, k));
    for (let j = k + 1; j < ears.length; j += 1) {
      const open = Math.min(before, Math.max(...ears.slice(k + 1, j + 1)));
      const drop = open > 0 ? 1 - ears[k]! / open : 0;
      best = Math.max(best, drop);
      if (drop >= policy.minRelativeEarDrop) return { met: true, atFrame: j, measured: drop };
    }
  }
  return { met: false, atFrame: null, measured: best };
}
