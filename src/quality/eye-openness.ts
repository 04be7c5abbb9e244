import type { Point2 } from '../analysis/face-analysis.js';
import { InvalidArgument } from '../errors/domain-errors.js';

/** Eye aspect ratios of the subject's own left and right eye (the right eye is on the image's left). */
export interface EyeAspectRatios {
  readonly left: number;
  readonly right: number;
}

/** MediaPipe 468-mesh indices of one eye: the two corners and vertically facing upper/lower lid pairs. */
export interface EyeLandmarks {
  readonly corners: readonly [number, number];
  readonly lidPairs: ReadonlyArray<readonly [upper: number, lower: number]>;
}

export const RIGHT_EYE_LANDMARKS: EyeLandmarks = {
  corners: [33, 133],
  lidPairs: [
    [160, 144],
    [159, 145],
    [158, 153],
  ],
};

export const LEFT_EYE_LANDMARKS: EyeLandmarks = {
  corners: [362, 263],
  lidPairs: [
    [387, 373],
    [386, 374],
    [385, 380],
  ],
};

/**
 * Eye aspect ratio (Soukupová & Čech 2016) per eye: mean lid gap over the three lid pairs divided by
 * the corner-to-corner width. Open eyes give roughly 0.25–0.35 on the MediaPipe mesh, closed ones
 * under 0.1. A degenerate eye (zero width) gives 0.
 */
export function eyeAspectRatios(mesh: readonly Point2[]): EyeAspectRatios {
  if (mesh.length < 468) {
    throw new InvalidArgument(`eye aspect ratio needs the 468-point face mesh; got ${mesh.length} points`, { points: mesh.length });
  }
  return { left: eyeAspectRatio(mesh, LEFT_EYE_LANDMARKS), right: eyeAspectRatio(mesh, RIGHT_EYE_LANDMARKS) };
}

export function eyeAspectRatio(mesh: readonly Point2[], eye: EyeLandmarks): number {
  const width = distance(point(mesh, eye.corners[0]), point(mesh, eye.corners[1]));
  if (!(width > 0)) return 0;
  let gaps = 0;
  for (const [upper, lower] of eye.lidPairs) gaps += distance(point(mesh, upper), point(mesh, lower));
  return gaps / eye.lidPairs.length / width;
}

/**
 * Inter-pupil distance in pixels: between the iris centres (mesh 468 and 473) when the mesh has the
 * 10 iris points, otherwise between the midpoints of each eye's two corners.
 */
export function interEyeDistance(mesh: readonly Point2[]): number {
  const a = mesh[468];
  const b = mesh[473];
  if (mesh.length >= 478 && a && b) return distance(a, b);
  return distance(eyeCentre(mesh, RIGHT_EYE_LANDMARKS), eyeCentre(mesh, LEFT_EYE_LANDMARKS));
}

/** Midpoint of an eye's two corners. */
export function eyeCentre(mesh: readonly Point2[], eye: EyeLandmarks): Point2 {
  const a = point(mesh, eye.corners[0]);
  const b = point(mesh, eye.corners[1]);
  return { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
}

function point(mesh: readonly Point2[], index: number): Point2 {
  const p = mesh[index];
  if (!p) throw new InvalidArgument(`mesh point ${index} is missing`, { index });
  return p;
}

function distance(a: Point2, b: Point2): number {
  return Math.hypot(a.x - b.x, a.y - b.y);
}
