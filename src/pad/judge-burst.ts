import type { FaceAnalysis } from '../analysis/face-analysis.js';
import { assessBurstLiveness, type BurstLivenessPolicy, type LivenessVerdict } from './burst-liveness.js';
import type { BurstTracks } from './burst-tracks.js';
import { evaluateChallenge, type ChallengeAction, type ChallengeVerdict } from './challenge-evaluation.js';

export interface BurstJudgement {
  readonly liveness: LivenessVerdict;
  /** How the burst answered its session's challenge; absent when no challenge was asked. */
  readonly challenge?: ChallengeVerdict;
  /** Live, and the challenge (when asked) met. */
  readonly live: boolean;
}

/**
 * The one judgement of a burst of analyses: burst liveness (a 3-D, moving face) and, with a
 * session, its challenge. The face pipeline calls it on the analyses it made of uploaded frames; an
 * enrollment kiosk's analyses made in the browser go through exactly this too.
 */
export function judgeBurst(
  analyses: readonly FaceAnalysis[],
  options: {
    readonly policy?: Partial<BurstLivenessPolicy>;
    readonly challenge?: readonly ChallengeAction[];
    /** The frames' landmarks followed through their pixels, where the pixels are (burst-tracks.ts). */
    readonly tracks?: BurstTracks | null;
  } = {},
): BurstJudgement {
  const liveness = assessBurstLiveness(analyses, options.policy, options.tracks ?? null);
  // The challenge reads a blink from the pixels as the liveness check does, where the burst was tracked.
  const trackedEyes = options.tracks ? { eyeChange: liveness.evidence.eyeChange, minEyeChange: liveness.evidence.policy.minEyeChange } : null;
  const challenge = options.challenge ? evaluateChallenge(analyses, options.challenge, undefined, trackedEyes) : undefined;
  return { liveness, ...(challenge ? { challenge } : {}), live: liveness.live && challenge?.met !== false };
}
