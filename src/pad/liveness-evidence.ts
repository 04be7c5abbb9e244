import type { LivenessVerdict } from './burst-liveness.js';
import type { ChallengeVerdict } from './challenge-evaluation.js';

/** What a liveness decision rests on, as checkout and kiosk enrollment answer it (never the frames). */
export interface LivenessEvidence {
  readonly method: 'burst' | 'single_frame' | 'device';
  readonly passed: boolean;
  readonly reasons: readonly string[];
  readonly scores?: Record<string, number | boolean | null | undefined>;
  /** The session's challenge and how the burst answered it, step by step; absent without a session. */
  readonly challenge?: {
    readonly sessionId: string;
    readonly met: boolean;
    readonly steps: ReadonlyArray<{
      readonly action: string;
      readonly met: boolean;
      readonly atFrame: number | null;
      readonly measured: number;
    }>;
  };
}

/** A burst's verdict (and its session's challenge, when one was answered) as answer evidence. */
export function burstEvidence(verdict: LivenessVerdict, answered?: { sessionId: string; verdict: ChallengeVerdict }): LivenessEvidence {
  const e = verdict.evidence;
  return {
    method: 'burst',
    passed: verdict.live && answered?.verdict.met !== false,
    reasons: verdict.reasons,
    ...(answered
      ? {
          challenge: {
            sessionId: answered.sessionId,
            met: answered.verdict.met,
            steps: answered.verdict.steps.map((step) => ({
              action: step.action,
              met: step.met,
              atFrame: step.atFrame,
              measured: step.measured,
            })),
          },
        }
      : {}),
    scores: {
      frames: e.frames,
      antispoofMedian: e.antispoofMedian,
      livenessMedian: e.livenessMedian,
      blinkDetected: e.blinkDetected,
      headTurnDetected: e.headTurnDetected,
      meanMotion: e.meanMotion,
    },
  };
}

