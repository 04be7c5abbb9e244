import os from 'node:os';
import { WorkerPool, siblingModuleUrl } from '../pool/worker-pool.js';
import type { AnalysedFrame, BurstResult, DetectResult, PipelineSettings, ProcessResult } from './face-pipeline.js';
import type { FaceService } from './face-service.js';
import type { PipelineRequest, PipelineWorkerData } from './pipeline-worker.js';

export interface PoolSettings {
  /** Worker threads, each with its own copy of the models; one per core by default. */
  readonly size?: number;
  /** Requests waiting beyond the busy workers before new ones are refused with `Overloaded`. */
  readonly maxQueue?: number;
  readonly pipeline?: Partial<PipelineSettings>;
}

/** The pipeline in a pool of worker threads: parallel across cores, bounded memory under load. */
export async function createPooledFaceService(engineIds: readonly string[], settings: PoolSettings = {}): Promise<FaceService> {
  const size = settings.size ?? os.availableParallelism();
  const workerData: PipelineWorkerData = { engineIds, settings: settings.pipeline ?? {} };
  const pool = new WorkerPool<PipelineRequest, unknown>({
    workerUrl: siblingModuleUrl(import.meta.url, 'pipeline-worker'),
    size,
    maxQueue: settings.maxQueue ?? size * 64,
    workerData,
  });
  await pool.start();
  return {
    detect: (image) => pool.run({ op: 'detect', image }) as Promise<DetectResult>,
    process: (image, options) => pool.run({ op: 'process', image, options }) as Promise<ProcessResult>,
    assessBurst: (frames, options) => pool.run({ op: 'burst', frames, ...(options ? { options } : {}) }) as Promise<BurstResult>,
    analyzeFrame: (image) => pool.run({ op: 'analyze-frame', image }) as Promise<AnalysedFrame>,
    assessAnalysedBurst: (frames, options) => pool.run({ op: 'analysed-burst', frames, ...(options ? { options } : {}) }) as Promise<BurstResult>,
    isReady: () => pool.stats().ready > 0,
    close: () => pool.close(),
  };
}
