import type { Point2 } from '../analysis/face-analysis.js';
import { InvalidArgument } from '../errors/domain-errors.js';

/**
 * Eye aspect ratio (Soukupová & Čech 2016) on the MediaPipe face mesh, for blink detection.
 * (`src/quality/eye-openness.ts` computes the same quantity for capture quality; the two are to be merged.)
 */

/** Mesh indices of one eye: the two corners and vertically facing upper/lower lid pairs. */
export interface EyeIndices {
  readonly corners: readonly [number, number];
  readonly lidPairs: ReadonlyArray<readonly [upper: number, lower: number]>;
}

/** The subject's right eye (on the image's left): corners 33/133, lids 159–145, 158–153, 160–144. */
export const RIGHT_EYE: EyeIndices = {
  corners: [33, 133],
  lidPairs: [
    [159, 145],
    [158, 153],
    [160, 144],
  ],
};

/** The subject's left eye (on the image's right): corners 362/263, lids 386–374, 385–380, 387–373. */
export const LEFT_EYE: EyeIndices = {
  corners: [362, 263],
  lidPairs: [
    [386, 374],
    [385, 380],
    [387, 373],
  ],
};

export interface EyeAspectRatio {
  readonly left: number;
  readonly right: number;
  /** Mean of both eyes (a blink closes both). */
  readonly mean: number;
}

/** Mean lid gap over corner distance for one eye; 0 for a degenerate (zero-width) eye. */
export function eyeAspectRatio(mesh: readonly Point2[], eye: EyeIndices): number {
  const width = distance(meshPoint(mesh, eye.corners[0]), meshPoint(mesh, eye.corners[1]));
  if (!(width > 0)) return 0;
  let gaps = 0;
  for (const [upper, lower] of eye.lidPairs) gaps += distance(meshPoint(mesh, upper), meshPoint(mesh, lower));
  return gaps / eye.lidPairs.length / width;
}

/** Both eyes' aspect ratios; throws `InvalidArgument` unless the mesh has the 468 face points. */
export function eyeAspectRatioOfMesh(mesh: readonly Point2[]): EyeAspectRatio {
  if (mesh.length < 468) {
    throw new InvalidArgument(`eye aspect ratio needs the 468-point face mesh; got ${mesh.length} points`, { points: mesh.length });
  }
  const left = eyeAspectRatio(mesh, LEFT_EYE);
  const right = eyeAspectRatio(mesh, RIGHT_EYE);
  return { left, right, mean: (left + right) / 2 };
}

/** Centre of an eye: the midpoint of its two corners. */
export function eyeCentre(mesh: readonly Point2[], eye: EyeIndices): Point2 {
  const a = meshPoint(mesh, eye.corners[0]);
  const b = meshPoint(mesh, eye.corners[1]);
  return { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
}

/** Distance between the two eye centres, the scale used to normalise mesh motion. */
export function interEyeDistance(mesh: readonly Point2[]): number {
  return distance(eyeCentre(mesh, LEFT_EYE), eyeCentre(mesh, RIGHT_EYE));
}

function meshPoint(mesh: readonly Point2[], index: number): Point2 {
  const p = mesh[index];
  if (!p) throw new InvalidArgument(`mesh point ${index} is missing`, { index });
  return p;
}

function distance(a: Point2, b: Point2): number {
  return Math.hypot(a.x - b.x, a.y - b.y);
}
