import type { FaceAnalysis, Point2 } from '../analysis/face-analysis.js';
import type { RgbImage } from '../imaging/rgb-image.js';
import { grayPyramid, toGray, type GrayPyramid } from '../imaging/gray-pyramid.js';
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
export function trackLandmarks(images: readonly RgbImage[], faces: readonly TrackedFace[]): BurstTracks {
  if (images.length === 0 || faces.length !== images.length) return { landmarks: RIGID_LANDMARKS, points: [], eyeChange: [] };
  const tracker = new BurstTracker();
  images.forEach((image, k) => tracker.add(image, faces[k]!));
  return tracker.tracksOf(images.map((_, k) => k));
}

/** All the tracker reads of a frame's analysis: the mesh it starts from, and its first guesses. */
export type TrackedFace = Pick<FaceAnalysis, 'mesh'>;

/** Where one frame's landmarks went in a later one, and how its eyes changed (one entry of BurstTracks). */
interface FollowedPair {
  readonly points: ReadonlyArray<Point2 | null>;
  readonly eyeChange: number | null;
}

/**
 * The same tracks, made frame by frame as a capture goes: a kiosk that follows a shopper adds each
 * frame it keeps (its pyramid is made once) and follows the landmarks into it at once, while the
 * shopper still moves, so that when the capture ends the tracks of the burst it sends are made
 * already; `tracksOf` then returns them from the pairs followed (following any not yet followed).
 * Holds each frame's pyramid (a third more than its luma) for as long as the capture.
 */
export class BurstTracker {
  private readonly pyramids: GrayPyramid[] = [];
  private readonly faces: TrackedFace[] = [];
  /** Pairs followed so far, by `${from}:${to}`. */
  private readonly followed = new Map<string, FollowedPair>();

  /** Adds a frame and the face analysed in it; returns its index. */
  add(image: RgbImage, face: TrackedFace): number {
    this.pyramids.push(grayPyramid(toGray(image), LEVELS));
    this.faces.push(face);
    return this.pyramids.length - 1;
  }

  get size(): number {
    return this.pyramids.length;
  }

  /** Follows frame `from`'s rigid landmarks into frame `to` (once: the pair is kept). */
  follow(from: number, to: number): FollowedPair {
    const key = `${from}:${to}`;
    const known = this.followed.get(key);
    if (known) return known;
    if (!(from in this.pyramids) || !(to in this.pyramids))
      throw new RangeError(`no frame ${from in this.pyramids ? to : from} in the tracker (${this.size} frames)`);
    const pair =
      from === to
        ? { points: RIGID_LANDMARKS.map((i) => this.faces[from]!.mesh[i]!), eyeChange: 0 }
        : followPair(this.pyramids[from]!, this.faces[from]!, this.pyramids[to]!, this.faces[to]!);
    this.followed.set(key, pair);
    return pair;
  }

  /** The tracks of the burst made of the frames at `indices` (in order; the first is its frame 0). */
  tracksOf(indices: readonly number[]): BurstTracks {
    const pairs = indices.map((to) => this.follow(indices[0]!, to));
    return { landmarks: RIGID_LANDMARKS, points: pairs.map((pair) => pair.points), eyeChange: pairs.map((pair) => pair.eyeChange) };
  }
}

function followPair(fromPyramid: GrayPyramid, first: TrackedFace, toPyramid: GrayPyramid, face: TrackedFace): FollowedPair {
  const landmarks = RIGID_LANDMARKS;
  const source = landmarks.map((i) => first.mesh[i]!);
  const maxRoundTrip = Math.max(0.3, ROUND_TRIP_IED * (interEyeDistance(first.mesh) || 0));
  // Where the mesh model put the same landmark is the tracker's first guess: within a few pixels.
  const guesses = landmarks.map((i) => face.mesh[i] ?? first.mesh[i]!);
  const points = trackPointsBothWays(fromPyramid, toPyramid, source, guesses, maxRoundTrip);
  const followed = points.map((_, i) => i).filter((i) => points[i] !== null);
  if (followed.length < MIN_MAPPED_POINTS) return { points, eyeChange: null };
  const map = fitHomography(
    followed.map((i) => source[i]!),
    followed.map((i) => points[i]!),
  );
  return { points, eyeChange: eyeAppearanceChange(fromPyramid[0]!, toPyramid[0]!, first.mesh, map.matrix) };
}
