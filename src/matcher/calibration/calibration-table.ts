import fs from 'node:fs';
import path from 'node:path';
import { InvalidArgument, NotCalibrated } from '../../errors/domain-errors.js';
import { projectRoot } from '../../runtime/project-root.js';

export type ThresholdMethod = 'empirical' | 'exponential-tail';

export interface CalibratedThreshold {
  readonly targetFmr: number;
  readonly threshold: number;
  /** `exponential-tail` marks a threshold extrapolated beyond what the impostor set can show. */
  readonly method: ThresholdMethod;
}

export interface EngineCalibration {
  readonly engine: string;
  readonly version: string;
  readonly genuineCount: number;
  readonly impostorCount: number;
  /** Impostor score mean and standard deviation: the z-normalization used by score fusion. */
  readonly impostorMean: number;
  readonly impostorStd: number;
  readonly thresholds: readonly CalibratedThreshold[];
  /**
   * The detection error trade-off measured on the same comparisons: FNMR at each FMR from one
   * impostor to 1 (a few dozen points, what the console draws). Absent in tables written before it was kept.
   */
  readonly det?: readonly DetOperatingPoint[];
}

export interface DetOperatingPoint {
  readonly fmr: number;
  readonly fnmr: number;
  readonly threshold: number;
}

export interface CalibrationTable {
  readonly description: string;
  readonly command: string;
  readonly generatedAt: string;
  readonly engines: readonly EngineCalibration[];
}

export interface ThresholdDecision {
  readonly threshold: number;
  readonly targetFmr: number;
  readonly method: ThresholdMethod;
}

export const CALIBRATION_FILE = 'calibration/thresholds.json';

export function calibrationKey(engine: string, version: string): string {
  return `${engine}@${version}`;
}

/**
 * Maps a target false-match rate to an engine's similarity threshold. Raw thresholds are never a
 * setting: every match decision goes through this table, measured by `facekey eval calibrate`.
 */
export class Calibration {
  private readonly byKey: Map<string, EngineCalibration>;

  constructor(readonly table: CalibrationTable) {
    this.byKey = new Map(table.engines.map((e) => [calibrationKey(e.engine, e.version), e]));
  }

  static load(file: string = path.join(projectRoot(), CALIBRATION_FILE)): Calibration {
    if (!fs.existsSync(file)) return new Calibration({ description: 'empty', command: '', generatedAt: '', engines: [] });
    return new Calibration(JSON.parse(fs.readFileSync(file, 'utf8')) as CalibrationTable);
  }

  engine(engine: string, version: string): EngineCalibration {
    const found = this.byKey.get(calibrationKey(engine, version));
    if (!found) {
      throw new NotCalibrated(`engine ${engine} version ${version} has no calibration; run \`facekey eval calibrate\``, {
        engine,
        version,
      });
    }
    return found;
  }

  /**
   * The threshold for `targetFmr`. Between two calibrated points it interpolates linearly in
   * log10(FMR), which is how impostor tails behave over a decade; outside the table it refuses.
   */
  thresholdFor(engine: string, version: string, targetFmr: number): ThresholdDecision {
    if (!(targetFmr > 0 && targetFmr < 1)) throw new InvalidArgument(`target FMR must be in (0, 1), got ${targetFmr}`);
    const points = [...this.engine(engine, version).thresholds].sort((a, b) => b.targetFmr - a.targetFmr);
    const exact = points.find((p) => Math.abs(Math.log10(p.targetFmr) - Math.log10(targetFmr)) < 1e-9);
    if (exact) return { threshold: exact.threshold, targetFmr, method: exact.method };
    for (let i = 0; i + 1 < points.length; i++) {
      const hi = points[i]!;
      const lo = points[i + 1]!;
      if (targetFmr < hi.targetFmr && targetFmr > lo.targetFmr) {
        const f = (Math.log10(hi.targetFmr) - Math.log10(targetFmr)) / (Math.log10(hi.targetFmr) - Math.log10(lo.targetFmr));
        const method = hi.method === 'empirical' && lo.method === 'empirical' ? 'empirical' : 'exponential-tail';
        return { threshold: hi.threshold + f * (lo.threshold - hi.threshold), targetFmr, method };
      }
    }
    const range = points.length ? `${points[points.length - 1]!.targetFmr} … ${points[0]!.targetFmr}` : 'none';
    throw new InvalidArgument(`target FMR ${targetFmr} is outside the calibrated range (${range}) of ${engine}`, { engine, targetFmr });
  }
}
