import type { ThresholdMethod } from './calibration/calibration-table.js';

/** The engine a score came from; thresholds hold for one engine version only. */
export interface EngineIdentity {
  readonly id: string;
  readonly version: string;
}

/** Where thresholds come from: the calibration table (calibration/thresholds.json). */
export interface ThresholdSource {
  thresholdFor(engine: string, version: string, targetFmr: number): { readonly threshold: number; readonly method: ThresholdMethod };
}

/** The calibrated threshold for an operating point, with how it was set. */
export interface MatchThreshold {
  readonly threshold: number;
  readonly targetFmr: number;
  readonly thresholdMethod: ThresholdMethod;
  readonly engine: EngineIdentity;
}

/** A match decision and its evidence: score, threshold, target FMR, how the threshold was set, engine id and version. */
export interface MatchDecision extends MatchThreshold {
  readonly match: boolean;
  readonly score: number;
}

export function thresholdFor(calibration: ThresholdSource, engine: EngineIdentity, targetFmr: number): MatchThreshold {
  const { threshold, method } = calibration.thresholdFor(engine.id, engine.version, targetFmr);
  return { threshold, targetFmr, thresholdMethod: method, engine: { id: engine.id, version: engine.version } };
}

/**
 * The one place a similarity score becomes match or no match: at the threshold calibrated for the
 * target FMR of this engine version, never at a number chosen by hand. CLI, biometric service and
 * checkout all decide here.
 */
export function decide(score: number, engine: EngineIdentity, targetFmr: number, calibration: ThresholdSource): MatchDecision {
  const threshold = thresholdFor(calibration, engine, targetFmr);
  return { ...threshold, score, match: score >= threshold.threshold };
}
