import { assertDimension, type GalleryEntry, type GalleryHit, type GalleryIndex, type VectorQuantization } from './gallery-index.js';
import { ExactIndex } from './exact-index.js';
import { HnswIndex, type HnswIndexOptions } from './hnsw-index.js';

export interface TieredIndexOptions {
  dimension: number;
  /** Switch to HNSW once the index holds more than this many templates (default 20,000). */
  threshold?: number;
  /** Storage of the exact tier (default 'f32'). */
  exactQuantization?: VectorQuantization;
  /** Options for the HNSW tier (dimension is taken from above). */
  hnsw?: Omit<HnswIndexOptions, 'dimension'>;
}

/**
 * Exact search while small, HNSW once large. The switch happens once, when an add takes the size
 * above the threshold: the HNSW tier is built in bulk from the exact tier, which is then dropped.
 * There is no switch back when removals shrink the gallery (HNSW stays correct at any size, and
 * this avoids flapping around the threshold).
 */
export class TieredIndex implements GalleryIndex {
  readonly dimension: number;
  readonly threshold: number;
  private readonly hnswOptions: HnswIndexOptions;
  private current: ExactIndex | HnswIndex;

  constructor(options: TieredIndexOptions) {
    assertDimension(options.dimension);
    this.dimension = options.dimension;
    this.threshold = options.threshold ?? 20_000;
    this.hnswOptions = { ...options.hnsw, dimension: options.dimension };
    this.current = new ExactIndex({
      dimension: options.dimension,
      quantization: options.exactQuantization ?? 'f32',
    });
  }

  /** 'exact' or 'hnsw'. */
  get tier(): 'exact' | 'hnsw' {
    return this.current instanceof ExactIndex ? 'exact' : 'hnsw';
  }

  get size(): number {
    return this.current.size;
  }

  add(entry: GalleryEntry): void {
    this.current.add(entry);
    this.maybePromote();
  }

  addMany(entries: Iterable<GalleryEntry>): void {
    const iterator = entries[Symbol.iterator]();
    while (this.current instanceof ExactIndex) {
      const next = iterator.next();
      if (next.done) return;
      this.add(next.value);
    }
    // Promoted (possibly part-way through): hand the rest to HNSW in bulk.
    this.current.addMany({ [Symbol.iterator]: () => iterator });
  }

  removeSubject(subjectId: string): number {
    return this.current.removeSubject(subjectId);
  }

  search(query: Float32Array, k: number): GalleryHit[] {
    return this.current.search(query, k);
  }

  memoryBytes(): number {
    return this.current.memoryBytes();
  }

  private maybePromote(): void {
    const exact = this.current;
    if (!(exact instanceof ExactIndex) || exact.size <= this.threshold) return;
    const hnsw = new HnswIndex(this.hnswOptions);
    hnsw.reserve(exact.size);
    hnsw.addMany(exact.entries());
    this.current = hnsw;
  }
}
