import { EngineMismatch } from '../errors/domain-errors.js';
import type { FaceTemplate } from '../templates/template.js';
import { dot } from '../math/vector-math.js';

/**
 * Cosine similarity in [-1, 1]. Scores from different engines, engine versions or dimensions live in
 * unrelated spaces, so comparing them is an error rather than a number that merely looks plausible.
 * float32 and int8 templates of the same engine compare freely: both carry a unit-length `vector`.
 */
export function cosineSimilarity(a: FaceTemplate, b: FaceTemplate): number {
  assertComparable(a, b);
  // Both vectors are unit length, so the dot product is the cosine; clamping removes the last-ulp
  // overshoot of float32 rounding so callers can rely on the documented range.
  return Math.max(-1, Math.min(1, dot(a.vector, b.vector)));
}

/** Throws EngineMismatch unless both templates come from the same engine, version and dimension. */
export function assertComparable(a: FaceTemplate, b: FaceTemplate): void {
  if (a.engineId === b.engineId && a.engineVersion === b.engineVersion && a.dimension === b.dimension) return;
  throw new EngineMismatch(`templates are not comparable: ${describe(a)} vs ${describe(b)}`, { left: provenance(a), right: provenance(b) });
}

function provenance(t: FaceTemplate): { engineId: string; engineVersion: string; dimension: number } {
  return { engineId: t.engineId, engineVersion: t.engineVersion, dimension: t.dimension };
}

function describe(t: FaceTemplate): string {
  return `${t.engineId}@${t.engineVersion} (${t.dimension}-d)`;
}
