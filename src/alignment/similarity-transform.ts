import type { Point2 } from '../analysis/face-analysis.js';

/**
 * A 2-D similarity transform (rotation, uniform scale, translation, no reflection):
 * x' = a·x − b·y + tx,  y' = b·x + a·y + ty.
 */
export interface SimilarityTransform {
  readonly a: number;
  readonly b: number;
  readonly tx: number;
  readonly ty: number;
}

/** Least-squares similarity transform mapping `from[i]` onto `to[i]` (Umeyama, 2-D closed form). */
export function fitSimilarityTransform(from: readonly Point2[], to: readonly Point2[]): SimilarityTransform {
  if (from.length !== to.length || from.length < 2) {
    throw new RangeError(`need at least two point pairs, got ${from.length} and ${to.length}`);
  }
  const n = from.length;
  let fx = 0,
    fy = 0,
    tx = 0,
    ty = 0;
  for (let i = 0; i < n; i++) {
    fx += from[i]!.x;
    fy += from[i]!.y;
    tx += to[i]!.x;
    ty += to[i]!.y;
  }
  fx /= n;
  fy /= n;
  tx /= n;
  ty /= n;
  let dotSum = 0,
    crossSum = 0,
    norm = 0;
  for (let i = 0; i < n; i++) {
    const sx = from[i]!.x - fx,
      sy = from[i]!.y - fy;
    const dx = to[i]!.x - tx,
      dy = to[i]!.y - ty;
    dotSum += sx * dx + sy * dy;
    crossSum += sx * dy - sy * dx;
    norm += sx * sx + sy * sy;
  }
  if (norm === 0) throw new RangeError('source points are all identical');
  const a = dotSum / norm;
  const b = crossSum / norm;
  return { a, b, tx: tx - (a * fx - b * fy), ty: ty - (b * fx + a * fy) };
}

export function applyTransform(t: SimilarityTransform, p: Point2): Point2 {
  return { x: t.a * p.x - t.b * p.y + t.tx, y: t.b * p.x + t.a * p.y + t.ty };
}

export function invertTransform(t: SimilarityTransform): SimilarityTransform {
  const det = t.a * t.a + t.b * t.b;
  const a = t.a / det;
  const b = -t.b / det;
  return { a, b, tx: -(a * t.tx - b * t.ty), ty: -(b * t.tx + a * t.ty) };
}

/** Uniform scale factor of the transform. */
export function transformScale(t: SimilarityTransform): number {
  return Math.hypot(t.a, t.b);
}
