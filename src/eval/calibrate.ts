import type { MultipleFacePolicy } from '../pipeline/face-selection.js';
import fs from 'node:fs';
import path from 'node:path';
import { listLabelledImages } from './labelled-images.js';
import { computeEngineOutcomes, fuseOutcomes, type EngineOutcomes } from './engine-outcomes.js';
import { allVsAllScores } from './comparison-scores.js';
import { fitFusionWeights, type FusionFit } from './fit-fusion-weights.js';
import { extrapolatedThresholdForFmr, sortedScores } from './metrics/index.js';
import { detCurvePoints } from './metrics/det-curve.js';
import { createEngine, engineIds, engineOrigin } from '../engines/engine-registry.js';
import { FusionEngine } from '../engines/fusion/fusion-engine.js';
import { FUSION_WEIGHTS_FILE, type FusionWeights } from '../engines/fusion/fusion-weights.js';
import { Calibration, CALIBRATION_FILE, type CalibrationTable, type EngineCalibration } from '../matcher/calibration/calibration-table.js';
import { projectRoot } from '../runtime/project-root.js';

/** DET points stored per engine: enough for a smooth curve on screen, small enough for the table. */
export const DET_POINTS_KEPT = 40;

export const CALIBRATED_FMRS = [1e-2, 1e-3, 1e-4, 1e-5, 1e-6] as const;

/** Engines the fusion weights are fit over; plain dlib-resnet is left out, its TTA twin dominates it. */
export const FUSION_CANDIDATES = ['dlib-resnet-tta', 'human-faceres', 'geometry'] as const;

export interface CalibrateOptions {
  readonly imagesDir: string;
  readonly command: string;
  readonly cacheFile?: string;
  readonly workers?: number;
  readonly multipleFaces?: MultipleFacePolicy;
  /** Where calibration/ lives; the repository by default. */
  readonly outputRoot?: string;
  /**
   * Calibrate only these engines: their entries in the table are replaced, every other entry and
   * the fusion weights are kept (a new or operator-registered engine is calibrated on its own).
   */
  readonly engineIds?: readonly string[];
}

export interface EnginesCalibrationResult {
  readonly table: CalibrationTable;
  readonly files: string[];
}

/** Thresholds for the named engines only, merged into the existing calibration table. */
export async function calibrateEngines(
  options: CalibrateOptions & { readonly engineIds: readonly string[] },
): Promise<EnginesCalibrationResult> {
  const labelled = listLabelledImages(options.imagesDir);
  const files = labelled.map((l) => l.file);
  const identities = labelled.map((l) => l.identity);
  const runs = await computeEngineOutcomes({
    files,
    engineIds: [...options.engineIds],
    ...(options.cacheFile ? { cacheFile: options.cacheFile } : {}),
    ...(options.workers ? { workers: options.workers } : {}),
    ...(options.multipleFaces ? { multipleFaces: options.multipleFaces } : {}),
  });
  const fresh = runs.map((run) => engineCalibration(run, allVsAllScores(run.outcomes, identities)));
  const root = options.outputRoot ?? projectRoot();
  const file = path.join(root, CALIBRATION_FILE);
  const previous = Calibration.load(file).table;
  const kept = previous.engines.filter((e) => !options.engineIds.includes(e.engine));
  const table: CalibrationTable = {
    description: `Thresholds per target FMR from all-vs-all comparisons of ${files.length} images of ${new Set(identities).size} people (${options.imagesDir}).`,
    command: previous.command && previous.command !== options.command ? `${previous.command}; ${options.command}` : options.command,
    generatedAt: new Date().toISOString(),
    engines: [...kept, ...fresh],
  };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  writeAtomically(file, JSON.stringify(table, null, 2) + '\n');
  return { table, files: [file] };
}

export interface CalibrationResult {
  readonly table: CalibrationTable;
  readonly fusion: FusionWeights;
  readonly fit: FusionFit;
  readonly files: string[];
}

/**
 * Measures every engine on all-vs-all comparisons of a labelled image set, fits the fusion
 * weights, and stores thresholds for target FMRs 1e-2 … 1e-6. Where the impostor set is too
 * small for a target, the threshold comes from an exponential tail fit and is marked so.
 */
export async function calibrate(options: CalibrateOptions): Promise<CalibrationResult> {
  const labelled = listLabelledImages(options.imagesDir);
  const files = labelled.map((l) => l.file);
  const identities = labelled.map((l) => l.identity);
  // Operators' model-card engines are calibrated on their own (calibrateEngines), on their own data.
  const baseIds = engineIds().filter((id) => id !== 'fusion' && engineOrigin(id) !== 'operator-model-card');
  const base = await computeEngineOutcomes({
    files,
    engineIds: baseIds,
    ...(options.cacheFile ? { cacheFile: options.cacheFile } : {}),
    ...(options.workers ? { workers: options.workers } : {}),
    ...(options.multipleFaces ? { multipleFaces: options.multipleFaces } : {}),
  });
  const scores = new Map(base.map((o) => [o.engine, allVsAllScores(o.outcomes, identities)]));
  const candidates = FUSION_CANDIDATES.filter((id) => scores.has(id));
  const fit = fitFusionWeights({
    engines: candidates,
    genuine: candidates.map((id) => scores.get(id)!.genuine),
    impostor: candidates.map((id) => scores.get(id)!.impostor),
  });
  const fusion: FusionWeights = {
    components: candidates.filter((id) => fit.weights[id]! > 0).map((id) => ({ engine: id, weight: fit.weights[id]! })),
    fitOn: `${path.basename(options.imagesDir.replace(/\/images\/?$/, ''))}: all-vs-all over ${files.length} images`,
    objective: fit.objective,
  };
  const fusionEngine = new FusionEngine(
    fusion.components.map((c) => createEngine(c.engine)),
    fusion,
  );
  const fused = fuseOutcomes(
    fusionEngine,
    fusionEngine.componentIds.map((id) => base.find((b) => b.engine === id)!.outcomes),
  );
  const engines = [...base, fused].map((run) =>
    engineCalibration(run, run === fused ? allVsAllScores(run.outcomes, identities) : scores.get(run.engine)!),
  );
  const table: CalibrationTable = {
    description: `Thresholds per target FMR from all-vs-all comparisons of ${files.length} images of ${new Set(identities).size} people (${options.imagesDir}).`,
    command: options.command,
    generatedAt: new Date().toISOString(),
    engines,
  };
  const root = options.outputRoot ?? projectRoot();
  const written = [path.join(root, CALIBRATION_FILE), path.join(root, FUSION_WEIGHTS_FILE)];
  fs.mkdirSync(path.dirname(written[0]!), { recursive: true });
  writeAtomically(written[0]!, JSON.stringify(table, null, 2) + '\n');
  writeAtomically(written[1]!, JSON.stringify(fusion, null, 2) + '\n');
  return { table, fusion, fit, files: written };
}

function engineCalibration(run: EngineOutcomes, all: { genuine: Float64Array; impostor: Float64Array }): EngineCalibration {
  const impostor = sortedScores(all.impostor);
  const finite = impostor.filter((s) => Number.isFinite(s));
  const mean = finite.reduce((a, b) => a + b, 0) / (finite.length || 1);
  const std = Math.sqrt(finite.reduce((a, b) => a + (b - mean) ** 2, 0) / (finite.length || 1));
  return {
    engine: run.engine,
    version: run.version,
    genuineCount: all.genuine.length,
    impostorCount: impostor.length,
    impostorMean: mean,
    impostorStd: std,
    thresholds: CALIBRATED_FMRS.map((targetFmr) => {
      const t = extrapolatedThresholdForFmr(impostor, targetFmr);
      return { targetFmr, threshold: t.threshold, method: t.method };
    }),
    // Kept with the thresholds so the console can draw the curve without the comparison scores.
    det: detCurvePoints(sortedScores(all.genuine), impostor, DET_POINTS_KEPT).map((p) => ({
      fmr: p.fmr,
      fnmr: p.fnmr,
      threshold: p.threshold,
    })),
  };
}

/** Write-then-rename, so a crash never leaves a half-written calibration file. */
function writeAtomically(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}
