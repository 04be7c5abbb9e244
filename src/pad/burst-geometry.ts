import type { FaceAnalysis, Point2 } from '../analysis/face-analysis.js';
import { eyeAspectRatios, interEyeDistance } from '../quality/eye-openness.js';
import { MESH_MIRROR, MESH_POINTS } from './face-mesh-topology.js';
import { applyHomography, fitHomography } from './planar-homography.js';
import { fitRigidFace, type Point3 } from './rigid-face-fit.js';
import { RIGID_LANDMARKS } from './rigid-landmarks.js';

/**
 * What the landmarks of a pair of frames say about the thing in front of the camera. Three models
 * compete for the second frame's rigid landmarks, given the first frame's:
 *  - planar: a homography (a flat picture shifted, rotated, squeezed, tilted: 8 unknowns);
 *  - mirrored planar: a homography onto the first frame's landmarks relabelled across the face's
 *    midline (a flat picture flipped: the mesh model labels the flipped face as a face, so the left eye
 *    of one frame sits where the right eye of the other was, reflected);
 *  - rigid 3-D: the first frame's mesh with its depth, rotated, scaled and shifted (7 unknowns).
 * Errors are root mean square, in units of the first frame's inter-eye distance.
 */
export interface FramePairGeometry {
  readonly from: number;
  readonly to: number;
  readonly planarError: number;
  readonly mirroredError: number;
  /** Determinant sign of the mirrored fit's linear part (−1: a reflection). */
  readonly mirroredOrientation: 1 | -1;
  readonly rigidError: number;
  /**
   * The part of the planar model's residual that grows with each landmark's depth (nose tip against
   * cheeks): root mean square of k·(z − z̄) for the least-squares vector k, in inter-eye distances.
   * A head turning leaves exactly this behind when a homography tries to explain it; a flat picture,
   * whatever it does in its plane or in perspective, leaves residuals that owe nothing to the face's depth.
   */
  readonly depthParallax: number;
  /** Rotation the rigid fit found, degrees. */
  readonly rigidYawDeg: number;
  readonly rigidPitchDeg: number;
  /** Every mesh point identical: the same picture analysed twice. */
  readonly identical: boolean;
}

/** The depth the mesh model reports is in its own crop units; this brings it to image pixels (see docs/liveness.md). */
const MODEL_CROP_UNITS = 150;

export function frameShape(frame: FaceAnalysis): Point3[] {
  const mesh = frame.mesh.slice(0, MESH_POINTS);
  const xs = mesh.map((p) => p.x);
  const width = Math.max(...xs) - Math.min(...xs);
  const depthScale = width > 0 ? width / MODEL_CROP_UNITS : 1;
  return mesh.map((p, i) => ({ x: p.x, y: p.y, z: (frame.meshDepth[i] ?? 0) * depthScale }));
}

/**
 * Results per ordered pair of analyses, kept as long as both analyses are: the fits are pure functions
 * of the two (analyses are never changed once made), and a kiosk that judges its burst after every new
 * frame, or a stream that tells the kiosk how its frames stand, asks for the same pairs again and again.
 * A pair costs a few milliseconds (two homographies and a Levenberg–Marquardt 3-D fit); the judgement
 * of a burst of n frames needs n(n−1)/2 of them.
 */
function memoised<T>(memo: WeakMap<FaceAnalysis, WeakMap<FaceAnalysis, T>>, a: FaceAnalysis, b: FaceAnalysis, compute: () => T): T {
  let row = memo.get(a);
  if (!row) memo.set(a, (row = new WeakMap()));
  let value = row.get(b);
  if (value === undefined) row.set(b, (value = compute()));
  return value;
}

type PairFits = Omit<FramePairGeometry, 'from' | 'to'>;
const pairMemo = new WeakMap<FaceAnalysis, WeakMap<FaceAnalysis, PairFits>>();
const rotationMemo = new WeakMap<FaceAnalysis, WeakMap<FaceAnalysis, { towardsImageRightDeg: number; downDeg: number }>>();

export function pairGeometry(frames: readonly FaceAnalysis[], from: number, to: number): FramePairGeometry {
  return { from, to, ...memoised(pairMemo, frames[from]!, frames[to]!, () => pairFits(frames[from]!, frames[to]!)) };
}

let fitsMade = 0;
/** How many pairs this process has fitted (not found kept): what a judgement cost, for tests and benchmarks. */
export const pairFitsMade = (): number => fitsMade;

function pairFits(a: FaceAnalysis, b: FaceAnalysis): PairFits {
  fitsMade += 1;
  const scale = interEyeDistance(a.mesh) || 1;
  const source = RIGID_LANDMARKS.map((i) => a.mesh[i]!);
  const target = RIGID_LANDMARKS.map((i) => b.mesh[i]!);
  const mirroredSource = RIGID_LANDMARKS.map((i) => a.mesh[MESH_MIRROR[i]!]!);
  const shape = frameShape(a);
  const planar = fitHomography(source, target);
  const mirrored = fitHomography(mirroredSource, target);
  const rigid = fitRigidFace(
    RIGID_LANDMARKS.map((i) => shape[i]!),
    target,
  );
  return {
    planarError: planar.rmsError / scale,
    mirroredError: mirrored.rmsError / scale,
    mirroredOrientation: mirrored.orientation,
    rigidError: rigid.rmsError / scale,
    depthParallax:
      depthExplainedResidual(
        source.map((p) => applyHomography(planar.matrix, p)),
        target,
        RIGID_LANDMARKS.map((i) => shape[i]!.z),
      ) / scale,
    rigidYawDeg: rigid.yawDeg,
    rigidPitchDeg: rigid.pitchDeg,
    identical: identicalMeshes(a.mesh, b.mesh),
  };
}

/**
 * Root mean square of the depth-proportional part of the residuals `target − predicted`: the residual
 * vectors are regressed on the centred depths (one 2-D coefficient k), and k·(z − z̄) is measured.
 */
export function depthExplainedResidual(predicted: readonly Point2[], target: readonly Point2[], depth: readonly number[]): number {
  const count = Math.min(predicted.length, target.length, depth.length);
  if (count === 0) return 0;
  const mean = depth.slice(0, count).reduce((s, z) => s + z, 0) / count;
  let kx = 0;
  let ky = 0;
  let zz = 0;
  for (let i = 0; i < count; i += 1) {
    const z = depth[i]! - mean;
    kx += (target[i]!.x - predicted[i]!.x) * z;
    ky += (target[i]!.y - predicted[i]!.y) * z;
    zz += z * z;
  }
  if (!(zz > 0)) return 0;
  const value = Math.hypot(kx, ky) / Math.sqrt(zz * count);
  return Number.isFinite(value) ? value : 0;
}

/** Every ordered pair i < j of the burst. */
export function burstPairGeometry(frames: readonly FaceAnalysis[]): FramePairGeometry[] {
  const pairs: FramePairGeometry[] = [];
  for (let i = 0; i < frames.length; i += 1) for (let j = i + 1; j < frames.length; j += 1) pairs.push(pairGeometry(frames, i, j));
  return pairs;
}

/**
 * Eye aspect ratio of each frame measured after mapping the frame onto the first one through the
 * homography of its rigid landmarks. Moving or distorting a flat picture changes the apparent eye
 * shape (a vertical squeeze narrows the eyes as much as a half-closed lid); undoing the planar map
 * leaves only what the eyelids did against the rest of the face, which a picture cannot do.
 * Kept per (first frame, frame) pair of analyses, like the pair fits: a stream's tracking evaluates
 * the same frames from each possible start again with every frame it receives.
 */
export function rectifiedEyeAspectRatios(frames: readonly FaceAnalysis[]): number[] {
  if (frames.length === 0) return [];
  const first = frames[0]!;
  return frames.map((frame) => memoised(earMemo, first, frame, () => rectifiedEyeAspectRatio(first, frame)));
}

const earMemo = new WeakMap<FaceAnalysis, WeakMap<FaceAnalysis, number>>();

function rectifiedEyeAspectRatio(reference: FaceAnalysis, frame: FaceAnalysis): number {
  const fit = fitHomography(
    RIGID_LANDMARKS.map((i) => frame.mesh[i]!),
    RIGID_LANDMARKS.map((i) => reference.mesh[i]!),
  );
  const mapped: Point2[] = frame.mesh.map((p) => applyHomography(fit.matrix, p));
  const ear = eyeAspectRatios(mapped);
  const mean = (ear.left + ear.right) / 2;
  return Number.isFinite(mean) ? mean : 0;
}

/** The same picture analysed twice: every mesh point identical (a pair's `identical`). */
export function identicalMeshes(a: readonly Point2[], b: readonly Point2[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 1) if (a[i]!.x !== b[i]!.x || a[i]!.y !== b[i]!.y) return false;
  return true;
}

/**
 * Head rotation of frame `to` relative to frame `from`, from the rigid 3-D fit, in the image's terms:
 * `towardsImageRightDeg` > 0 when the nose moved towards the image's right (the subject turned to their
 * own left, facing the camera); `downDeg` > 0 when the nose moved down. The mesh model's depth grows
 * away from the camera (the nose tip is the smallest), which fixes the signs.
 */
export function relativeHeadRotation(
  frames: readonly FaceAnalysis[],
  from: number,
  to: number,
): { towardsImageRightDeg: number; downDeg: number } {
  const rotation = memoised(rotationMemo, frames[from]!, frames[to]!, () => {
    const shape = frameShape(frames[from]!);
    const fit = fitRigidFace(
      RIGID_LANDMARKS.map((i) => shape[i]!),
      RIGID_LANDMARKS.map((i) => frames[to]!.mesh[i]!),
    );
    return { towardsImageRightDeg: -fit.yawDeg, downDeg: fit.pitchDeg };
  });
  return { ...rotation };
}
