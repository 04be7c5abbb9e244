import type { MultipleFacePolicy } from '../pipeline/face-selection.js';
import { readLfwPairs } from './lfw-pairs.js';
import { listLabelledImages } from './labelled-images.js';
import { computeEngineOutcomes, type EngineOutcomes } from './engine-outcomes.js';
import { allVsAllScores, pairFoldScores } from './comparison-scores.js';
import {
  detCurvePoints,
  equalErrorRate,
  extrapolatedThresholdForFmr,
  fnmrAt,
  kFoldAccuracy,
  sortedScores,
  tarAtFar,
  type DetPoint,
} from './metrics/index.js';

export const REPORTED_FARS = ['1e-2', '1e-3', '1e-4', '1e-5'] as const;
export type ReportedFar = (typeof REPORTED_FARS)[number];

export interface TarAtFarEntry {
  readonly tar: number;
  readonly threshold: number;
  /** False when fewer than 10 impostor scores lie above the threshold: too little data to trust. */
  readonly reliable: boolean;
}

/** Checkout decides at FMR 1e-5; 1e-6 is where a large gallery would have to decide. */
export const OPERATING_FMRS = [1e-5, 1e-6] as const;

/**
 * TAR and FNMR at a target FMR, at the threshold calibration would pick on this data: empirical
 * where enough impostor scores exist, else extrapolated from the impostor tail and marked so.
 */
export interface OperatingPoint {
  readonly targetFmr: number;
  readonly threshold: number;
  readonly method: 'empirical' | 'exponential-tail';
  readonly tar: number;
  readonly fnmr: number;
}

export interface EngineVerification {
  readonly engine: string;
  readonly version: string;
  readonly accuracy: number;
  readonly accuracyStd: number;
  readonly folds: Array<{ accuracy: number; threshold: number }>;
  readonly tarAtFar: Record<ReportedFar, number>;
  readonly tarAtFarDetail: Record<ReportedFar, TarAtFarEntry>;
  readonly operatingPoints: OperatingPoint[];
  readonly eer: number;
  readonly eerThreshold: number;
  /** Failure-to-enroll rate over all images (counted as errors in every figure). */
  readonly fte: number;
  readonly fteCount: number;
  readonly images: number;
  readonly genuinePairs: number;
  readonly impostorPairs: number;
  readonly det: DetPoint[];
}

export interface VerificationRun {
  readonly pairsFile: string;
  readonly imagesDir: string;
  readonly pairCount: number;
  readonly foldCount: number;
  readonly engines: EngineVerification[];
}

export interface VerifyOptions {
  readonly pairsFile: string;
  readonly imagesDir: string;
  readonly engineIds: readonly string[];
  readonly cacheFile?: string;
  readonly workers?: number;
  readonly multipleFaces?: MultipleFacePolicy;
}

/** LFW-protocol k-fold accuracy on the pairs plus all-vs-all TAR@FAR, EER and FTE on every image. */
export async function evaluateVerification(options: VerifyOptions): Promise<VerificationRun> {
  const { folds } = readLfwPairs(options.pairsFile, options.imagesDir);
  const labelled = listLabelledImages(options.imagesDir);
  const files = [...new Set([...labelled.map((l) => l.file), ...folds.flat().flatMap((p) => [p.left, p.right])])];
  const identityOf = new Map(labelled.map((l) => [l.file, l.identity]));
  const identities = files.map((f) => identityOf.get(f) ?? `unlabelled:${f}`);
  const fileIndex = new Map(files.map((f, i) => [f, i]));
  const outcomes = await computeEngineOutcomes({
    files,
    engineIds: options.engineIds,
    ...(options.cacheFile ? { cacheFile: options.cacheFile } : {}),
    ...(options.workers ? { workers: options.workers } : {}),
    ...(options.multipleFaces ? { multipleFaces: options.multipleFaces } : {}),
  });
  return {
    pairsFile: options.pairsFile,
    imagesDir: options.imagesDir,
    pairCount: folds.flat().length,
    foldCount: folds.length,
    engines: outcomes.map((o) => verifyEngine(o, folds, fileIndex, identities)),
  };
}

function verifyEngine(
  run: EngineOutcomes,
  folds: Parameters<typeof pairFoldScores>[0],
  fileIndex: Map<string, number>,
  identities: string[],
): EngineVerification {
  const kfold = kFoldAccuracy(pairFoldScores(folds, fileIndex, run.outcomes));
  const all = allVsAllScores(run.outcomes, identities);
  const genuine = sortedScores(all.genuine);
  const impostor = sortedScores(all.impostor);
  const detail = Object.fromEntries(
    REPORTED_FARS.map((far) => {
      const r = tarAtFar(genuine, impostor, Number(far));
      return [far, { tar: r.tar, threshold: r.threshold, reliable: r.reliable }];
    }),
  ) as Record<ReportedFar, TarAtFarEntry>;
  const operatingPoints = OPERATING_FMRS.map((targetFmr): OperatingPoint => {
    const t = extrapolatedThresholdForFmr(impostor, targetFmr);
    const fnmr = fnmrAt(genuine, t.threshold);
    return { targetFmr, threshold: t.threshold, method: t.method, tar: 1 - fnmr, fnmr };
  });
  const eer = equalErrorRate(genuine, impostor);
  const fteCount = run.outcomes.filter((o) => !o.ok).length;
  return {
    engine: run.engine,
    version: run.version,
    accuracy: kfold.mean,
    accuracyStd: kfold.std,
    folds: kfold.perFold,
    tarAtFar: Object.fromEntries(REPORTED_FARS.map((far) => [far, detail[far].tar])) as Record<ReportedFar, number>,
    tarAtFarDetail: detail,
    operatingPoints,
    eer: eer.eer,
    eerThreshold: eer.threshold,
    fte: fteCount / run.outcomes.length,
    fteCount,
    images: run.outcomes.length,
    genuinePairs: genuine.length,
    impostorPairs: impostor.length,
    det: detCurvePoints(genuine, impostor),
  };
}
