import type { FaceAnalysis } from '../analysis/face-analysis.js';
import type { RgbImage } from '../imaging/rgb-image.js';

export type TemplateDtype = 'float32' | 'int8';
export type SimilarityMetric = 'cosine';

/** What identifies an engine's templates: two templates are comparable only if these match. */
export interface EngineDescriptor {
  readonly id: string;
  readonly version: string;
  readonly dimension: number;
  readonly dtype: TemplateDtype;
  readonly metric: SimilarityMetric;
}

/** Which optional analyses an engine needs from the shared face analyzer. */
export interface EngineNeeds {
  /** Human's `faceres` descriptor, computed inside the detector pass. */
  readonly faceres?: boolean;
}

export interface EmbedInput {
  readonly image: RgbImage;
  readonly face: FaceAnalysis;
}

/**
 * The face-engine port: turns one analyzed face into an L2-normalized template vector.
 * Detection, mesh, pose, quality and presentation-attack detection are shared by all engines and
 * happen before `embed`; an engine only owns the step that is specific to its algorithm.
 */
export interface FaceEngine extends EngineDescriptor {
  readonly needs: EngineNeeds;
  /** Loads model weights; called once per worker before the first `embed`. */
  load(): Promise<void>;
  embed(input: EmbedInput): Promise<Float32Array>;
}
