import os from 'node:os';
import path from 'node:path';
import { createEngine } from '../engines/engine-registry.js';
import { FusionEngine } from '../engines/fusion/fusion-engine.js';
import type { FaceEngine } from '../engines/engine-port.js';
import { createTemplate } from '../templates/template.js';
import { createPooledFaceService } from '../pipeline/pooled-face-service.js';
import { EmbeddingCache } from './embedding-cache.js';
import { embedImages, type EnrollmentOutcome } from './embed-images.js';
import type { MultipleFacePolicy } from '../pipeline/face-selection.js';

export interface EngineOutcomes {
  readonly engine: string;
  readonly version: string;
  /** Parallel to the image list. */
  readonly outcomes: readonly EnrollmentOutcome[];
}

export interface OutcomeRunOptions {
  readonly files: readonly string[];
  readonly engineIds: readonly string[];
  readonly cacheFile?: string;
  readonly workers?: number;
  readonly multipleFaces?: MultipleFacePolicy;
}

/** Labelled face sets are cropped around their subject; a bystander may be larger. */
export const DEFAULT_EVAL_FACE_POLICY: MultipleFacePolicy = 'central';

export const DEFAULT_EMBEDDING_CACHE = path.join('.cache', 'eval', 'embeddings.sqlite');

/**
 * Templates for every image and engine. Plain engines run through the worker pool (cached on
 * disk); `fusion` is assembled from its components' cached templates, exactly as the fusion
 * engine would compute it live.
 */
export async function computeEngineOutcomes(options: OutcomeRunOptions): Promise<EngineOutcomes[]> {
  const engines = options.engineIds.map((id) => createEngine(id));
  const base = new Map<string, FaceEngine>();
  for (const engine of engines) {
    const parts = engine instanceof FusionEngine ? engine.componentIds.map((id) => createEngine(id)) : [engine];
    for (const part of parts) base.set(part.id, part);
  }
  const cache = new EmbeddingCache(options.cacheFile ?? DEFAULT_EMBEDDING_CACHE);
  const workers = options.workers ?? os.availableParallelism();
  const service = await createPooledFaceService([...base.keys()], { size: workers });
  try {
    const table = await embedImages({
      files: options.files,
      engines: [...base.values()],
      service,
      cache,
      concurrency: workers * 2,
      multipleFaces: options.multipleFaces ?? DEFAULT_EVAL_FACE_POLICY,
      progressLabel: `embedding ${options.files.length} images`,
    });
    return engines.map((engine) =>
      engine instanceof FusionEngine
        ? fuseOutcomes(
            engine,
            engine.componentIds.map((id) => table.get(id)!),
          )
        : { engine: engine.id, version: engine.version, outcomes: table.get(engine.id)! },
    );
  } finally {
    await service.close();
    cache.close();
  }
}

/**
 * The fusion engine's outcome per image, assembled from its components' templates exactly as the
 * engine computes it live; an image any component failed on fails with that component's reason.
 */
export function fuseOutcomes(engine: FusionEngine, componentOutcomes: ReadonlyArray<readonly EnrollmentOutcome[]>): EngineOutcomes {
  const outcomes = (componentOutcomes[0] ?? []).map((_, i): EnrollmentOutcome => {
    const failed = componentOutcomes.map((p) => p[i]!).find((o) => !o.ok);
    if (failed) return failed;
    const vectors = componentOutcomes.map((p) => (p[i] as Extract<EnrollmentOutcome, { ok: true }>).template.vector);
    return { ok: true, template: createTemplate(engine, engine.fuse(vectors)) };
  });
  return { engine: engine.id, version: engine.version, outcomes };
}
