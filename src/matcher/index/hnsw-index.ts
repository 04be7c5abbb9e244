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
} from './gallery-index.js';
import { SlotTable } from './slot-table.js';
import { SubjectTopK } from './subject-top-k.js';

/**
 * How usearch stores the vectors it navigates and scores with. usearch's int8 cast rescales each
 * vector to norm 127 and truncates, so int8 cosines are within ~0.003 of float on average (~0.012 at
 * worst at 1M); f16 is within 0.0001 at twice the vector bytes. (e4m3 was as small and more precise,
 * but 3× slower to build and search on this hardware.)
 */
export type HnswStorage = 'int8' | 'f16' | 'f32';

export interface HnswIndexOptions {
  dimension: number;
  /** usearch vector storage (default 'int8'). */
  storage?: HnswStorage;
  /**
   * HNSW M (default 14). usearch allocates nodes in 64-byte steps: with M ≤ 14 a node without upper
   * levels (key, level, 2M level-0 links) fits 128 B; M=16 needs 192 B, 64 B more per template. At 1M,
   * M=14 needed ef 448 for the recall M=16 had at 384; M=8 lost a fifth of recall@1.
   */
  connectivity?: number;
  /** ef at construction (default 64). */
  expansionAdd?: number;
  /**
   * ef at search (default 384). At 1M clustered templates (M=16) recall@1 was 0.80 with ef=64,
   * 0.984–0.991 with 256 and ≥ 0.998 with 384; with M=14, 0.994–0.997 at 384 and 0.995–1.0 at 448.
   * 448 kept p99 near 2 ms on an Intel Xeon but took it to 5.0–5.6 ms on an AMD EPYC (search runs
   * about twice as slow there); 384 holds p99 at 3.5–3.9 ms on the AMD machine with
   * recall@1 still above 0.99. The misses are the graph's, so ef, not re-ranking, is the lever.
   */
  expansionSearch?: number;
  /** Threads for bulk insertion (default: available parallelism). */
  threads?: number;
}

const BATCH = 16_384;

/** Bytes per element for each usearch storage kind. */
const STORAGE_BYTES: Record<HnswStorage, number> = { int8: 1, f16: 2, f32: 4 };
const SCALAR_KIND: Record<HnswStorage, ScalarKind> = {
  int8: ScalarKind.I8,
  f16: ScalarKind.F16,
  f32: ScalarKind.F32,
};

/**
 * Approximate 1:N index. usearch holds the only copy of the vectors, and its cosine distances on
 * them are the scores. Exact re-ranking needed a second int8 copy (usearch's JavaScript API cannot
 * hand stored vectors back): 136 B of ~500 B per template at 1M. Measured at 1M, re-ranking 256
 * candidates against float vectors changed no top-1 subject (the misses are the graph's), and the
 * int8 scores differ from float by 0.003 on average, well inside a threshold's margin.
 *
 * The search asks for k' = max(8k, 32) neighbours (ef_search still bounds the exploration) and keeps
 * one hit per subject. usearch keys are slot numbers of a compact SlotTable. Removing a subject
 * removes its keys from usearch and frees its slots; usearch and the table both reuse freed slots
 * for later additions, so churn does not grow the index (no rebuild, which would need the vectors).
 */
export class HnswIndex implements GalleryIndex {
  readonly dimension: number;
  readonly storage: HnswStorage;
  readonly connectivity: number;
  readonly expansionAdd: number;
  readonly expansionSearch: number;
  private readonly threads: number;
  private readonly slots = new SlotTable();
  private readonly graph: UsearchIndex;

  constructor(options: HnswIndexOptions) {
    assertDimension(options.dimension);
    this.dimension = options.dimension;
    this.storage = options.storage ?? 'int8';
    this.connectivity = options.connectivity ?? 14;
    this.expansionAdd = options.expansionAdd ?? 64;
    this.expansionSearch = options.expansionSearch ?? 384;
    this.threads = Math.max(1, options.threads ?? availableParallelism());
    this.graph = new UsearchIndex({
      dimensions: this.dimension,
      metric: MetricKind.Cos,
      quantization: SCALAR_KIND[this.storage],
      connectivity: this.connectivity,
      expansion_add: this.expansionAdd,
      expansion_search: this.expansionSearch,
      multi: false,
    });
  }

  get size(): number {
    return this.slots.size;
  }

  add(entry: GalleryEntry): void {
    assertEntry(this.dimension, entry);
    const slot = this.slots.allocate(entry.subjectId, entry.templateId);
    // usearch sizes its per-thread contexts from the thread count of the add that grew it; a later
    // bulk add with more threads than that fails ("Reserve capacity ahead of insertions!").
    this.graph.add(BigInt(slot), entry.vector, this.threads);
  }

  addMany(entries: Iterable<GalleryEntry>): void {
    const d = this.dimension;
    const matrix = new Float32Array(BATCH * d);
    const keys = new BigUint64Array(BATCH);
    let pending = 0;
    const flush = (): void => {
      if (pending === 0) return;
      this.graph.add(keys.subarray(0, pending), matrix.subarray(0, pending * d), this.threads);
      pending = 0;
    };
    for (const entry of entries) {
      assertEntry(d, entry);
      keys[pending] = BigInt(this.slots.allocate(entry.subjectId, entry.templateId));
      matrix.set(entry.vector, pending * d);
      pending++;
      if (pending === BATCH) flush();
    }
    flush();
  }

  /** Reserves slot bookkeeping for `templates` more templates (avoids repeated growth in bulk loads). */
  reserve(templates: number): void {
    this.slots.reserve(this.slots.length + templates);
  }

  removeSubject(subjectId: string): number {
    const freed = this.slots.releaseSubject(subjectId);
    if (freed.length > 0) this.graph.remove(BigUint64Array.from(freed, (slot) => BigInt(slot)));
    return freed.length;
  }

  search(query: Float32Array, k: number): GalleryHit[] {
    assertVector(this.dimension, query, 'query');
    assertK(k);
    if (this.slots.size === 0) return [];
    // A subject has several templates, so k subjects need more than k neighbours.
    const wanted = Math.min(Math.max(k * 8, 32), this.slots.size);
    const matches = this.graph.search(query, wanted, 1);
    const top = new SubjectTopK(k);
    const { keys, distances } = matches;
    for (let i = 0; i < keys.length; i++) {
      const slot = Number(keys[i]!);
      if (!this.slots.isLive(slot)) continue;
      top.offer(1 - distances[i]!, this.slots.subjectAt(slot), slot);
    }
    return top.drain().map((hit) => ({
      subjectId: this.slots.subjectName(hit.subject),
      templateId: this.slots.templateIdAt(hit.slot),
      score: hit.score,
    }));
  }

  /**
   * Estimate: the slot table, plus usearch's per-node cost: the vector (8-byte aligned) and the
   * node — key, level, level-0 neighbour list (count + 2M 32-bit slots) and one list of M per upper
   * level (a node reaches level l with probability M^-l) — allocated in 64-byte steps, plus
   * per-capacity bookkeeping: node and vector pointers, and the key lookup hash table (16-byte
   * entries plus a 16-byte header per 64, at most 2/3 full, sized to a power of two).
   */
  memoryBytes(): number {
    const nodes = this.slots.length;
    const m = this.connectivity;
    const vector = Math.ceil((this.dimension * STORAGE_BYTES[this.storage]) / 8) * 8;
    let node = 0;
    for (let level = 0; level < 8; level++) {
      const share = Math.pow(m, -level) - Math.pow(m, -level - 1);
      node += share * Math.ceil((8 + 2 + 4 + 2 * m * 4 + level * (4 + m * 4)) / 64) * 64;
    }
    const capacity = this.graph.capacity();
    const lookupSlots = capacity > 0 ? 2 ** Math.ceil(Math.log2(capacity * 1.5)) : 0;
    const bookkeeping = capacity * (8 + 8) + lookupSlots * (16 + 16 / 64);
    return this.slots.memoryBytes() + Math.round(nodes * (node + vector) + bookkeeping);
  }
}
