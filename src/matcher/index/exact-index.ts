import {
  assertDimension,
  assertEntry,
  assertK,
  assertVector,
  type GalleryEntry,
  type GalleryHit,
  type GalleryIndex,
  type VectorQuantization,
} from './gallery-index.js';
import { PackedVectorStore } from './packed-store.js';
import { SubjectTopK } from './subject-top-k.js';

export interface ExactIndexOptions {
  dimension: number;
  /** 'f32' (default) keeps vectors as float32; 'int8' keeps int8 plus a per-vector scale. */
  quantization?: VectorQuantization;
  initialCapacity?: number;
}

/**
 * Brute-force 1:N index: one pass over a packed vector array per query, top-k subjects kept in a
 * bounded heap. Removal moves the last template into the freed slot, so the array stays dense.
 */
export class ExactIndex implements GalleryIndex {
  readonly dimension: number;
  readonly quantization: VectorQuantization;
  private readonly store: PackedVectorStore;

  constructor(options: ExactIndexOptions) {
    assertDimension(options.dimension);
    this.dimension = options.dimension;
    this.quantization = options.quantization ?? 'f32';
    this.store = new PackedVectorStore(this.dimension, this.quantization, options.initialCapacity ?? 1024);
  }

  get size(): number {
    return this.store.length;
  }

  add(entry: GalleryEntry): void {
    assertEntry(this.dimension, entry);
    this.store.append(entry);
  }

  addMany(entries: Iterable<GalleryEntry>): void {
    for (const entry of entries) this.add(entry);
  }

  removeSubject(subjectId: string): number {
    const ordinal = this.store.subjectOrdinal(subjectId);
    if (ordinal === undefined) return 0;
    let removed = 0;
    // Walk backwards: the slot moved into `s` comes from the tail, which was already checked.
    for (let s = this.store.length - 1; s >= 0; s--) {
      if (this.store.subjectAt(s) === ordinal) {
        this.store.swapRemove(s);
        removed++;
      }
    }
    this.store.forgetSubject(subjectId);
    return removed;
  }

  search(query: Float32Array, k: number): GalleryHit[] {
    assertVector(this.dimension, query, 'query');
    assertK(k);
    if (this.store.length === 0) return [];
    const top = new SubjectTopK(k);
    this.store.scanInto(query, top);
    return top.drain().map((hit) => ({
      subjectId: this.store.subjectName(hit.subject),
      templateId: this.store.templateIdAt(hit.slot),
      score: hit.score,
    }));
  }

  memoryBytes(): number {
    return this.store.memoryBytes();
  }

  /** Every stored template (vectors dequantized for int8), in slot order. */
  *entries(): Generator<GalleryEntry> {
    for (let s = 0; s < this.store.length; s++) {
      yield {
        subjectId: this.store.subjectName(this.store.subjectAt(s)),
        templateId: this.store.templateIdAt(s),
        vector: this.store.vectorAt(s, new Float32Array(this.dimension)),
      };
    }
  }
}
