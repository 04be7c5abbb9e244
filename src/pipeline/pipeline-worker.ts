import { serveWorker } from '../pool/worker-entry.js';
import { FacePipeline, type AnalysedBurstFrame, type BurstOptions, type PipelineSettings, type ProcessOptions } from './face-pipeline.js';

export interface PipelineWorkerData {
  readonly engineIds: readonly string[];
  readonly settings: Partial<PipelineSettings>;
}

export type PipelineRequest =
  | { readonly op: 'detect'; readonly image: Uint8Array }
  | { readonly op: 'process'; readonly image: Uint8Array; readonly options: ProcessOptions }
  | { readonly op: 'burst'; readonly frames: readonly Uint8Array[]; readonly options?: BurstOptions }
  | { readonly op: 'analyze-frame'; readonly image: Uint8Array }
  | { readonly op: 'analysed-burst'; readonly frames: readonly AnalysedBurstFrame[]; readonly options?: BurstOptions };

/** One inference lane: loads Human and the engines once, then serves requests one at a time. */
serveWorker<PipelineRequest, unknown>(async (workerData) => {
  const { engineIds, settings } = workerData as PipelineWorkerData;
  const pipeline = await FacePipeline.create(engineIds, settings);
  return async (request) => {
    switch (request.op) {
      case 'detect':
        return { result: await pipeline.detect(request.image) };
      case 'process':
        return { result: await pipeline.process(request.image, request.options) };
      case 'burst':
        return { result: await pipeline.assessBurst(request.frames, request.options) };
      case 'analyze-frame':
        return { result: await pipeline.analyzeFrame(request.image) };
      case 'analysed-burst':
        return { result: await pipeline.assessAnalysedBurst(request.frames, request.options) };
    }
  };
});
