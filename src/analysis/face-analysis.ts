export interface Point2 {
  readonly x: number;
  readonly y: number;
}

export interface Box {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** Head pose in degrees; yaw > 0 turns towards the image's right. */
export interface HeadPose {
  readonly yaw: number;
  readonly pitch: number;
  readonly roll: number;
}

/** Per-frame presentation-attack scores, each in [0, 1] where 1 means "real/live". */
export interface PresentationScores {
  readonly antispoof: number;
  readonly liveness: number;
}

/**
 * Everything the shared analyzer learns about one face in one image, in image pixel coordinates.
 * `mesh` is the 468-point MediaPipe face mesh (iris refinement, when an analyzer adds it, appends
 * 10 iris points: 478 in all).
 */
export interface FaceAnalysis {
  readonly box: Box;
  readonly detectionScore: number;
  /** Which BlazeFace variant found the face (absent for faces not made by an analyzer, as in tests). */
  readonly detector?: DetectorRange;
  readonly mesh: readonly Point2[];
  /** Mesh depth per point (same order as `mesh`), in the detector's relative units. */
  readonly meshDepth: readonly number[];
  readonly pose: HeadPose;
  readonly presentation: PresentationScores;
  /** Human's 1024-d `faceres` descriptor when an engine asked for it. */
  readonly faceres?: Float32Array;
}

/** BlazeFace's two variants: short-range (128×128 input) and full-range (256×256). */
export type DetectorRange = 'short-range' | 'full-range';

/**
 * Names what the analyzer hands to the engines: landmarks and face crops change with the detector
 * model and with iris refinement, so templates made from different revisions are not comparable.
 * Engines put it in their version. `bf128`: short-range BlazeFace first, no iris refinement.
 */
export const ANALYSIS_REVISION = 'bf128';
