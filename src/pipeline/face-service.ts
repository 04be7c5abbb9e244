import type { AnalysedBurstFrame, AnalysedFrame, BurstOptions, BurstResult, DetectResult, ProcessOptions, ProcessResult } from './face-pipeline.js';

/** The pipeline as callers see it, whether it runs in this thread or in a worker pool. */
export interface FaceService {
  detect(image: Uint8Array): Promise<DetectResult>;
  process(image: Uint8Array, options: ProcessOptions): Promise<ProcessResult>;
  /**
   * A burst of frames is one task: its frames are analyzed in order by one worker, which also
   * describes and embeds the best frame for the engines asked.
   */
  assessBurst(frames: readonly Uint8Array[], options?: BurstOptions): Promise<BurstResult>;
  /** One frame of a burst streamed ahead of its judgement: decoded, analysed and described, not embedded. */
  analyzeFrame(image: Uint8Array): Promise<AnalysedFrame>;
  /** assessBurst for streamed frames analysed by analyzeFrame: the same judgement, one frame embedded. */
  assessAnalysedBurst(frames: readonly AnalysedBurstFrame[], options?: BurstOptions): Promise<BurstResult>;
  /** True while at least one inference lane has its models loaded and can take work. */
  isReady(): boolean;
  close(): Promise<void>;
}
