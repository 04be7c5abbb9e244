import type { MultipleFacePolicy } from '../pipeline/face-selection.js';
import { listLabelledImages } from './labelled-images.js';
import { computeEngineOutcomes, type EngineOutcomes } from './engine-outcomes.js';
import { outcomeScore } from './comparison-scores.js';
import { identificationMetrics } from './metrics/index.js';

export const REPORTED_FPIRS = ['1e-2', '1e-3'] as const;

export interface EngineIdentification {
  readonly engine: string;
  readonly version: string;
  readonly galleryCount: number;
  readonly matedProbes: number;
  readonly nonMatedProbes: number;
  readonly rank1: number;
  readonly cmc: number[];
  readonly fnirAtFpir: Record<(typeof REPORTED_FPIRS)[number], { fnir: number; threshold: number; reliable: boolean }>;
  readonly fteCount: number;
}

export interface IdentifyOptions {
  readonly imagesDir: string;
  readonly engineIds: readonly string[];
  readonly cacheFile?: string;
  readonly workers?: number;
  readonly multipleFaces?: MultipleFacePolicy;
  readonly maxRank?: number;
}

/**
 * Gallery: the first image of every person with at least two images. Mated probes: their other
 * images. Non-mated probes: people with a single image, who are never enrolled. An image that
 * failed to enroll stays in the run (a gallery entry that matches nothing, or a probe that misses).
 */
export async function evaluateIdentification(options: IdentifyOptions): Promise<EngineIdentification[]> {
  const labelled = listLabelledImages(options.imagesDir);
  const byIdentity = new Map<string, number[]>();
  labelled.forEach((l, i) => byIdentity.set(l.identity, [...(byIdentity.get(l.identity) ?? []), i]));
  const gallery: number[] = [];
  const probes: Array<{ image: number; mate: number }> = [];
  for (const indices of byIdentity.values()) {
    if (indices.length >= 2) {
      gallery.push(indices[0]!);
      for (const probe of indices.slice(1)) probes.push({ image: probe, mate: gallery.length - 1 });
    } else probes.push({ image: indices[0]!, mate: -1 });
  }
  const runs = await computeEngineOutcomes({
    files: labelled.map((l) => l.file),
    engineIds: options.engineIds,
    ...(options.cacheFile ? { cacheFile: options.cacheFile } : {}),
    ...(options.workers ? { workers: options.workers } : {}),
    ...(options.multipleFaces ? { multipleFaces: options.multipleFaces } : {}),
  });
  return runs.map((run) => identifyEngine(run, gallery, probes, options.maxRank ?? 20));
}

function identifyEngine(
  run: EngineOutcomes,
  gallery: readonly number[],
  probes: ReadonlyArray<{ image: number; mate: number }>,
  maxRank: number,
): EngineIdentification {
  const scores = new Float32Array(probes.length * gallery.length);
  probes.forEach((probe, p) => {
    gallery.forEach((g, k) => {
      scores[p * gallery.length + k] = outcomeScore(run.outcomes[probe.image], run.outcomes[g]);
    });
  });
  const metrics = identificationMetrics({
    scores,
    probeCount: probes.length,
    galleryCount: gallery.length,
    probeTruth: Int32Array.from(probes, (p) => p.mate),
  });
  return {
    engine: run.engine,
    version: run.version,
    galleryCount: gallery.length,
    matedProbes: metrics.matedCount,
    nonMatedProbes: metrics.nonMatedCount,
    rank1: metrics.rank1,
    cmc: metrics.cmc(maxRank),
    fnirAtFpir: Object.fromEntries(
      REPORTED_FPIRS.map((f) => {
        const r = metrics.fnirAtFpir(Number(f));
        return [f, { fnir: r.fnir, threshold: r.threshold, reliable: r.reliable }];
      }),
    ) as EngineIdentification['fnirAtFpir'],
    fteCount: run.outcomes.filter((o) => !o.ok).length,
  };
}
