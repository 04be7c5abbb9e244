import type { Point2 } from '../analysis/face-analysis.js';
import { symmetricEigen } from './symmetric-eigen.js';

/**
 * A planar homography between two sets of corresponding 2-D points: the map a flat picture undergoes
 * when it is shifted, rotated, scaled, squeezed, tilted in perspective or mirrored in front of a camera.
 * Fitted by the normalised direct linear transform (Hartley: each point set centred and scaled to mean
 * distance √2, then the null vector of the 2N×9 design matrix), made robust by refitting on the points
 * whose transfer error is within the best `keepFraction` (a trimmed fit: landmarks the detector misplaces
 * or that move on their own, such as eyelids, do not drag the map).
 */
export type Matrix3 = readonly [number, number, number, number, number, number, number, number, number];

export interface HomographyFit {
  readonly matrix: Matrix3;
  /** Root mean square transfer error over the kept points, in the target's pixels. */
  readonly rmsError: number;
  /** Per-point transfer error (all points), in pixels. */
  readonly errors: number[];
  /**
   * Sign of the determinant of the map's linear part at the source centroid: negative for a
   * reflection (a mirrored picture), positive for any orientation-keeping map.
   */
  readonly orientation: 1 | -1;
}

export function applyHomography(h: Matrix3, p: Point2): Point2 {
  const w = h[6] * p.x + h[7] * p.y + h[8];
  return { x: (h[0] * p.x + h[1] * p.y + h[2]) / w, y: (h[3] * p.x + h[4] * p.y + h[5]) / w };
}

export function fitHomography(source: readonly Point2[], target: readonly Point2[], keepFraction = 0.9): HomographyFit {
  const count = Math.min(source.length, target.length);
  const all = Array.from({ length: count }, (_, i) => i);
  let matrix = directLinearTransform(source, target, all);
  let errors = transferErrors(matrix, source, target, count);
  const keep = Math.max(4, Math.round(count * keepFraction));
  const kept = [...all].sort((i, j) => errors[i]! - errors[j]!).slice(0, keep);
  matrix = directLinearTransform(source, target, kept);
  errors = transferErrors(matrix, source, target, count);
  const sorted = [...errors].sort((a, b) => a - b).slice(0, keep);
  const rmsError = Math.sqrt(sorted.reduce((s, e) => s + e * e, 0) / sorted.length);
  return { matrix, rmsError, errors, orientation: orientationAt(matrix, centroid(source, all)) };
}

function transferErrors(h: Matrix3, source: readonly Point2[], target: readonly Point2[], count: number): number[] {
  const errors: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const p = applyHomography(h, source[i]!);
    const e = Math.hypot(p.x - target[i]!.x, p.y - target[i]!.y);
    errors.push(Number.isFinite(e) ? e : Number.MAX_VALUE);
  }
  return errors;
}

function centroid(points: readonly Point2[], indices: readonly number[]): Point2 {
  let x = 0;
  let y = 0;
  for (const i of indices) {
    x += points[i]!.x;
    y += points[i]!.y;
  }
  return { x: x / indices.length, y: y / indices.length };
}

/** Normalising similarity: centroid to the origin, mean distance √2. Returns [scale, cx, cy]. */
function normaliser(points: readonly Point2[], indices: readonly number[]): [number, number, number] {
  const c = centroid(points, indices);
  let meanDistance = 0;
  for (const i of indices) meanDistance += Math.hypot(points[i]!.x - c.x, points[i]!.y - c.y);
  meanDistance /= indices.length;
  return [meanDistance > 0 ? Math.SQRT2 / meanDistance : 1, c.x, c.y];
}

function directLinearTransform(source: readonly Point2[], target: readonly Point2[], indices: readonly number[]): Matrix3 {
  const [sa, ax, ay] = normaliser(source, indices);
  const [sb, bx, by] = normaliser(target, indices);
  const normal = Array.from({ length: 9 }, () => new Array<number>(9).fill(0));
  const addRow = (row: readonly number[]): void => {
    for (let r = 0; r < 9; r += 1) {
      if (row[r] === 0) continue;
      for (let c = 0; c < 9; c += 1) normal[r]![c]! += row[r]! * row[c]!;
    }
  };
  for (const i of indices) {
    const x = (source[i]!.x - ax) * sa;
    const y = (source[i]!.y - ay) * sa;
    const u = (target[i]!.x - bx) * sb;
    const v = (target[i]!.y - by) * sb;
    addRow([0, 0, 0, -x, -y, -1, v * x, v * y, v]);
    addRow([x, y, 1, 0, 0, 0, -u * x, -u * y, -u]);
  }
  const h = symmetricEigen(normal).vectors[0]!;
  // Undo the normalisations: H = Tb⁻¹ · Hn · Ta.
  const ta = [sa, 0, -sa * ax, 0, sa, -sa * ay, 0, 0, 1];
  const tbInv = [1 / sb, 0, bx, 0, 1 / sb, by, 0, 0, 1];
  const m = multiply(tbInv, multiply(h, ta));
  const scale = Math.abs(m[8]!) > 1e-12 ? m[8]! : Math.hypot(...m) || 1;
  return m.map((value) => value / scale) as unknown as Matrix3;
}

function multiply(a: readonly number[], b: readonly number[]): number[] {
  const out = new Array<number>(9).fill(0);
  for (let r = 0; r < 3; r += 1)
    for (let c = 0; c < 3; c += 1) for (let k = 0; k < 3; k += 1) out[r * 3 + c]! += a[r * 3 + k]! * b[k * 3 + c]!;
  return out;
}

/** Sign of the Jacobian determinant of the homography at p (a reflection flips it). */
function orientationAt(h: Matrix3, p: Point2): 1 | -1 {
  const w = h[6] * p.x + h[7] * p.y + h[8];
  const u = h[0] * p.x + h[1] * p.y + h[2];
  const v = h[3] * p.x + h[4] * p.y + h[5];
  const dudx = (h[0] * w - u * h[6]) / (w * w);
  const dudy = (h[1] * w - u * h[7]) / (w * w);
  const dvdx = (h[3] * w - v * h[6]) / (w * w);
  const dvdy = (h[4] * w - v * h[7]) / (w * w);
  return dudx * dvdy - dudy * dvdx < 0 ? -1 : 1;
}
