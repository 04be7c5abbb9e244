import type { FaceAnalysis, Point2 } from '../analysis/face-analysis.js';
import type { RgbImage } from '../imaging/rgb-image.js';
import { grayPyramid, toGray } from '../imaging/gray-pyramid.js';
import { trackPointsBothWays } from '../imaging/point-tracker.js';
import { interEyeDistance } from '../quality/eye-openness.js';
import { RIGID_LANDMARKS } from './rigid-landmarks.js';
import { eyeAppearanceChange } from './eye-appearance.js';
import { fitHomography } from './planar-homography.js';

/**
 * What the pixels of a burst say about its first frame's face, as numbers only (no image data leaves
 * this function, so the tracks can travel with a verdict's evidence and be logged without biometrics):
 * for every later frame, where the skin under each of the first frame's rigid landmarks went.
 *
 * Why: the mesh model re-fits every frame with its own shape prior and reports whole pixels, so its
 * landmarks on a turning head do not follow the surface point for point, and a flat picture's
 * landmarks are noisy enough to look a little three-dimensional (docs/liveness.md). Following the
 * texture itself (pyramidal Lucas–Kanade from the first frame, checked forward and backward) gives
 * sub-pixel correspondences that move exactly as the object in front of the camera does: as one
 * plane for any picture, with parallax for a head.
 */
export interface BurstTracks {
  /** Indices into the mesh of the landmarks followed (RIGID_LANDMARKS). */
  readonly landmarks: readonly number[];
  /**
   * `points[k][i]`: where landmark `landmarks[i]` of frame 0 was found in frame k (frame 0: itself);
   * null where the texture could not be followed both ways.
   */
  readonly points: ReadonlyArray<ReadonlyArray<Point2 | null>>;
  /**
   * `eyeChange[k]`: how much the eyes of frame k differ from frame 0's beyond what the face around
   * them did (eye-appearance.ts; 0 for frame 0); null where too few landmarks were followed to map
   * the face from frame 0 onto frame k.
   */
  readonly eyeChange: ReadonlyArray<number | null>;
}

/** Fewer followed landmarks than this do not fix the planar map of the face. */
const MIN_MAPPED_POINTS = 24;

/** Pyramid levels: a 480 px frame's level 3 is 60 px, enough to follow a 30° turn's large motions. */
const LEVELS = 4;
/**
 * A round trip must come home within this share of the inter-eye distance (0.6 px on a 480 px
 * terminal frame whose eyes are ≈ 85 px apart): farther, the patch was occluded or changed.
 */
const ROUND_TRIP_IED = 0.007;

/** Tracks frame 0's rigid landmarks into every frame; `faces[k]` is the face analysed in `images[k]`. */
export function trackLandmarks(images: readonly RgbImage[], faces: readonly FaceAnalysis[]): BurstTracks {
  const landmarks = RIGID_LANDMARKS;
  if (images.length === 0 || faces.length !== images.length) return { landmarks, points: [], eyeChange: [] };
  const pyramids = images.map((image) => grayPyramid(toGray(image), LEVELS));
  const first = faces[0]!;
  const source = landmarks.map((i) => first.mesh[i]!);
  const maxRoundTrip = Math.max(0.3, ROUND_TRIP_IED * (interEyeDistance(first.mesh) || 0));
  const points = faces.map((face, k) => {
    if (k === 0) return source;
    // Where the mesh model put the same landmark is the tracker's first guess: within a few pixels.
    const guesses = landmarks.map((i) => face.mesh[i] ?? first.mesh[i]!);
    return trackPointsBothWays(pyramids[0]!, pyramids[k]!, source, guesses, maxRoundTrip);
  });
  const eyeChange = points.map((found, k) => {
    if (k === 0) return 0;
    const followed = found.map((_, i) => i).filter((i) => found[i] !== null);
    if (followed.length < MIN_MAPPED_POINTS) return null;
    const map = fitHomography(
      followed.map((i) => source[i]!),
      followed.map((i) => found[i]!),
    );
    return eyeAppearanceChange(pyramids[0]![0]!, pyramids[k]![0]!, first.mesh, map.matrix);
  });
  return { landmarks, points, eyeChange };
}
