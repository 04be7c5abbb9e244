import { InvalidArgument } from '../../errors/domain-errors.js';

/** One enrolled template: an L2-normalized vector belonging to a subject. */
export interface GalleryEntry {
  subjectId: string;
  templateId: string;
  vector: Float32Array;
}

/** One search hit. `score` is the cosine similarity (dot product of unit vectors). */
export interface GalleryHit {
  subjectId: string;
  templateId: string;
  score: number;
}

/** How stored vectors are kept: float32, or int8 with one symmetric scale per vector. */
export type VectorQuantization = 'f32' | 'int8';

/**
 * The 1:N gallery index port, one instance per tenant and engine. Vectors are expected to be
 * L2-normalized so that the dot product is the cosine similarity.
 */
export interface GalleryIndex {
  readonly dimension: number;
  /** Number of templates (not subjects) currently searchable. */
  readonly size: number;
  add(entry: GalleryEntry): void;
  /** Bulk add; implementations may batch (e.g. multi-threaded graph construction). */
  addMany(entries: Iterable<GalleryEntry>): void;
  /** Removes every template of `subjectId`; returns how many were removed. */
  removeSubject(subjectId: string): number;
  /**
   * Best-first hits, at most `k`, at most one per subject (a subject with several templates
   * appears once, with its best-scoring template).
   */
  search(query: Float32Array, k: number): GalleryHit[];
  /** Estimate of the bytes held by the index (vectors, graph, ids), excluding the JS runtime. */
  memoryBytes(): number;
}

export function assertDimension(dimension: number): void {
  if (!Number.isInteger(dimension) || dimension <= 0) {
    throw new InvalidArgument(`gallery index: dimension must be a positive integer`, {
      dimension,
    });
  }
}

export function assertVector(dimension: number, vector: Float32Array, what: string): void {
  if (!(vector instanceof Float32Array)) {
    throw new InvalidArgument(`gallery index: ${what} must be a Float32Array`, {});
  }
  if (vector.length !== dimension) {
    throw new InvalidArgument(`gallery index: ${what} has dimension ${vector.length}, index has ${dimension}`, {
      expected: dimension,
      actual: vector.length,
    });
  }
  for (let i = 0; i < vector.length; i++) {
    if (!Number.isFinite(vector[i]!)) {
      throw new InvalidArgument(`gallery index: ${what} contains a non-finite value`, { index: i });
    }
  }
}

export function assertK(k: number): void {
  if (!Number.isInteger(k) || k <= 0) {
    throw new InvalidArgument(`gallery index: k must be a positive integer`, { k });
  }
}

export function assertEntry(dimension: number, entry: GalleryEntry): void {
  if (typeof entry.subjectId !== 'string' || entry.subjectId.length === 0) {
    throw new InvalidArgument('gallery index: subjectId must be a non-empty string', {});
  }
  if (typeof entry.templateId !== 'string' || entry.templateId.length === 0) {
    throw new InvalidArgument('gallery index: templateId must be a non-empty string', {});
  }
  assertVector(dimension, entry.vector, 'template vector');
}

/** Rough V8 footprint of a held string: header plus one or two bytes per character. */
export function stringBytes(s: string): number {
  let wide = false;
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) > 0xff) {
      wide = true;
      break;
    }
  }
  const payload = s.length * (wide ? 2 : 1);
  return 16 + Math.ceil(payload / 8) * 8;
}
