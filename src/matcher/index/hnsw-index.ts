import { availableParallelism } from 'node:os';
import { Index as UsearchIndex, MetricKind, ScalarKind } from 'usearch';
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

/** How usearch stores the vectors it navigates with. */
export type HnswStorage = 'int8' | 'f16' | 'f32';

export interface HnswIndexOptions {
  dimension: number;
  /** usearch vector storage (default 'int8'; usearch scales each vector by its L2 norm). */
  storage?: HnswStorage;
  /** Exact copy used for re-ranking (default 'int8': symmetric per-vector scale). */
  rerankQuantization?: VectorQuantization;
  /** HNSW M (default 16). */
  connectivity?: number;
  /** ef at construction (default 64). */
  expansionAdd?: number;
  /** ef at search (default 256: at 1M clustered templates ef=64 gave recall@1 0.80; usearch uses max(ef, k')). */
  expansionSearch?: number;
  /** Threads for bulk insertion (default: available parallelism). */
  threads?: number;
  /** Compact (rebuild) once tombstones exceed this share of slots (default 0.25). */
  rebuildTombstoneRatio?: number;
}

const BATCH = 16_384;

/** Bytes per element for each usearch storage kind. */
const STORAGE_BYTES: Record<HnswStorage, number> = { int8: 1, f16: 2, f32: 4 };

/**
 * Approximate 1:N index: usearch HNSW proposes k' = max(8k, 256) candidates, which are then
 * re-scored exactly against the index's own copy of the vectors and reduced to one hit per
 * subject. usearch keys are the store's slot numbers; removal calls usearch's `remove` and
 * tombstones the slot, and the whole index is compacted once tombstones pile up.
 */
export class HnswIndex implements GalleryIndex {
  readonly dimension: number;
  readonly storage: HnswStorage;
  readonly rerankQuantization: VectorQuantization;
  readonly connectivity: number;
  readonly expansionAdd: number;
  readonly expansionSearch: number;
  private readonly threads: number;
  private readonly rebuildTombstoneRatio: number;
  private store: PackedVectorStore;
  private graph: UsearchIndex;
  private live = 0;
  private tombstones = 0;

  constructor(options: HnswIndexOptions) {
    assertDimension(options.dimension);
    this.dimension = options.dimension;
    this.storage = options.storage ?? 'int8';
    this.rerankQuantization = options.rerankQuantization ?? 'int8';
    this.connectivity = options.connectivity ?? 16;
    this.expansionAdd = options.expansionAdd ?? 64;
    this.expansionSearch = options.expansionSearch ?? 256;
    this.threads = Math.max(1, options.threads ?? availableParallelism());
    this.rebuildTombstoneRatio = options.rebuildTombstoneRatio ?? 0.25;
    this.store = new PackedVectorStore(this.dimension, this.rerankQuantization);
    this.graph = this.newGraph();
  }

  get size(): number {
    return this.live;
  }

  add(entry: GalleryEntry): void {
    assertEntry(this.dimension, entry);
    const slot = this.store.append(entry);
    this.graph.add(BigInt(slot), entry.vector, 1);
    this.live++;
  }

  addMany(entries: Iterable<GalleryEntry>): void {
    const d = this.dimension;
    const matrix = new Float32Array(BATCH * d);
    const keys = new BigUint64Array(BATCH);
    let pending = 0;
    const flush = (): void => {
      if (pending === 0) return;
      this.graph.add(keys.subarray(0, pending), matrix.subarray(0, pending * d), this.threads);
      this.live += pending;
      pending = 0;
    };
    for (const entry of entries) {
      assertEntry(d, entry);
      const slot = this.store.append(entry);
      keys[pending] = BigInt(slot);
      matrix.set(entry.vector, pending * d);
      pending++;
      if (pending === BATCH) flush();
    }
    flush();
  }

  /** Reserves room for `templates` more templates (avoids repeated growth in bulk loads). */
  reserve(templates: number): void {
    this.store.reserve(this.store.length + templates);
  }

  removeSubject(subjectId: string): number {
    const ordinal = this.store.subjectOrdinal(subjectId);
    if (ordinal === undefined) return 0;
    let removed = 0;
    for (let s = 0; s < this.store.length; s++) {
      if (this.store.subjectAt(s) === ordinal) {
        this.graph.remove(BigInt(s));
        this.store.tombstone(s);
        removed++;
      }
    }
    this.store.forgetSubject(subjectId);
    this.live -= removed;
    this.tombstones += removed;
    if (this.tombstones > 1024 && this.tombstones > this.rebuildTombstoneRatio * this.store.length) {
      this.rebuild();
    }
    return removed;
  }

  search(query: Float32Array, k: number): GalleryHit[] {
    assertVector(this.dimension, query, 'query');
    assertK(k);
    if (this.live === 0) return [];
    // usearch ranks by its own quantized scores; the true best can sit below its top 64 at 1M
    // templates (recall@1 0.989 with 64), so a wider list goes to the exact re-rank, which is cheap.
    const wanted = Math.min(Math.max(k * 8, 256), this.live);
    const matches = this.graph.search(query, wanted, 1);
    const top = new SubjectTopK(k);
    const keys = matches.keys;
    for (let i = 0; i < keys.length; i++) {
      const slot = Number(keys[i]!);
      if (!this.store.isLive(slot)) continue; // tombstone or padding
      top.offer(this.store.score(slot, query), this.store.subjectAt(slot), slot);
    }
    return top.drain().map((hit) => ({
      subjectId: this.store.subjectName(hit.subject),
      templateId: this.store.templateIdAt(hit.slot),
      score: hit.score,
    }));
  }

  /**
   * Estimate: the re-ranking store, plus usearch's per-node cost — the stored vector, the key,
   * level-0 neighbour list (2M 32-bit slots + header), expected upper levels (geometric with
   * p = 1/M), and per-slot bookkeeping (vector and node pointers, key lookup table).
   */
  memoryBytes(): number {
    const nodes = this.store.length;
    const capacity = this.graph.capacity();
    const m = this.connectivity;
    const vector = this.dimension * STORAGE_BYTES[this.storage];
    const level0 = 4 + 2 * m * 4;
    const upper = (4 + m * 4) / (m - 1);
    const node = 8 + 2 + level0 + upper + vector;
    const perCapacitySlot = 8 + 8 + 16;
    return this.store.memoryBytes() + Math.round(nodes * node + capacity * perCapacitySlot);
  }

  /** Rebuilds the graph and the store from the live templates, dropping tombstones. */
  rebuild(): void {
    const old = this.store;
    const oldLength = old.length;
    const d = this.dimension;
    this.store = new PackedVectorStore(d, this.rerankQuantization, Math.max(1024, this.live));
    this.graph = this.newGraph();
    this.live = 0;
    this.tombstones = 0;
    const entries = function* (): Generator<GalleryEntry> {
      const vector = new Float32Array(d);
      for (let s = 0; s < oldLength; s++) {
        if (!old.isLive(s)) continue;
        yield {
          subjectId: old.subjectName(old.subjectAt(s)),
          templateId: old.templateIdAt(s),
          vector: old.vectorAt(s, vector),
        };
      }
    };
    this.addMany(entries());
  }

  private newGraph(): UsearchIndex {
    const quantization = this.storage === 'int8' ? ScalarKind.I8 : this.storage === 'f16' ? ScalarKind.F16 : ScalarKind.F32;
    return new UsearchIndex({
      dimensions: this.dimension,
      // usearch's int8 cast rescales by the L2 norm, so int8 storage needs the cosine kernel.
      metric: this.storage === 'int8' ? MetricKind.Cos : MetricKind.IP,
      quantization,
      connectivity: this.connectivity,
      expansion_add: this.expansionAdd,
      expansion_search: this.expansionSearch,
      multi: false,
    });
  }
}
