import type { FaceAnalysis, Point2 } from '../analysis/face-analysis.js';
import { interEyeDistance } from '../quality/eye-openness.js';
import { depthExplainedResidual, frameShape } from './burst-geometry.js';
import type { BurstTracks } from './burst-tracks.js';
import { applyHomography, fitHomography } from './planar-homography.js';
import { fitRigidFace } from './rigid-face-fit.js';

/**
 * The planar and rigid models of burst-geometry.ts, fitted to tracked correspondences (frame 0's
 * landmarks → where their texture went in frame `to`) instead of to the mesh model's landmarks of
 * both frames. Errors in inter-eye distances of frame 0.
 */
export interface TrackedPairGeometry {
  readonly from: 0;
  readonly to: number;
  /** Share of the landmarks followed both ways (the rest were occluded or changed). */
  readonly trackedShare: number;
  readonly planarError: number;
  readonly rigidError: number;
  /** Part of the planar residual that grows with the landmarks' depth (nose against cheeks), over the planar fit's inliers. */
  readonly depthParallax: number;
  readonly rigidYawDeg: number;
}

/** Fewer followed points than this say nothing about the shape of what moved. */
const MIN_POINTS = 24;

export function trackedPairGeometry(frames: readonly FaceAnalysis[], tracks: BurstTracks, to: number): TrackedPairGeometry | null {
  const first = frames[0];
  const found = tracks.points[to];
  if (!first || !found || to === 0) return null;
  const valid = tracks.landmarks.map((_, i) => i).filter((i) => found[i] !== null && found[i] !== undefined);
  if (valid.length < MIN_POINTS) return null;
  const scale = interEyeDistance(first.mesh) || 1;
  const shape = frameShape(first);
  const source = valid.map((i) => first.mesh[tracks.landmarks[i]!]!);
  const target = valid.map((i) => found[i]!) as Point2[];
  const planar = fitHomography(source, target);
  const rigid = fitRigidFace(
    valid.map((i) => shape[tracks.landmarks[i]!]!),
    target,
  );
  // The depth regression on the planar fit's inliers only: a few points the tracker followed wrongly
  // must not be read as a nose moving against the cheeks.
  const cutoff = [...planar.errors].sort((a, b) => a - b)[Math.floor(0.9 * (planar.errors.length - 1))]!;
  const inliers = valid.map((_, j) => j).filter((j) => planar.errors[j]! <= cutoff);
  return {
    from: 0,
    to,
    trackedShare: valid.length / tracks.landmarks.length,
    planarError: planar.rmsError / scale,
    rigidError: rigid.rmsError / scale,
    depthParallax:
      depthExplainedResidual(
        inliers.map((j) => applyHomography(planar.matrix, source[j]!)),
        inliers.map((j) => target[j]!),
        inliers.map((j) => shape[tracks.landmarks[valid[j]!]!]!.z),
      ) / scale,
    rigidYawDeg: rigid.yawDeg,
  };
}

/** Every later frame against frame 0. */
export function trackedBurstGeometry(frames: readonly FaceAnalysis[], tracks: BurstTracks): TrackedPairGeometry[] {
  const pairs: TrackedPairGeometry[] = [];
  for (let k = 1; k < frames.length; k += 1) {
    const pair = trackedPairGeometry(frames, tracks, k);
    if (pair) pairs.push(pair);
  }
  return pairs;
}
