import { FacePipeline, type PipelineSettings } from './face-pipeline.js';
import type { FaceService } from './face-service.js';

/** Runs the pipeline on the calling thread: for tests and single-image tools. */
export async function createInProcessFaceService(
  engineIds: readonly string[],
  settings: Partial<PipelineSettings> = {},
): Promise<FaceService> {
  const pipeline = await FacePipeline.create(engineIds, settings);
  return {
    detect: (image) => pipeline.detect(image),
    process: (image, options) => pipeline.process(image, options),
    assessBurst: (frames, options) => pipeline.assessBurst(frames, options),
    analyzeFrame: (image) => pipeline.analyzeFrame(image),
    assessAnalysedBurst: (frames, options) => pipeline.assessAnalysedBurst(frames, options),
    isReady: () => true,
    close: async () => {},
  };
}
