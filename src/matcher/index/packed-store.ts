import { stringBytes, type GalleryEntry, type VectorQuantization } from './gallery-index.js';
import type { SubjectTopK } from './subject-top-k.js';

/**
 * Symmetric int8 quantization of `v` into `out[offset .. offset + v.length)`: one scale per
 * vector, q = round(v / scale) with scale = max|v| / 127, so the full int8 range is used.
 * Returns the scale (0 for an all-zero vector).
 */
export function quantizeInt8(v: Float32Array, out: Int8Array, offset: number): number {
  let maxAbs = 0;
  for (let i = 0; i < v.length; i++) {
    const a = Math.abs(v[i]!);
    if (a > maxAbs) maxAbs = a;
  }
  if (maxAbs === 0) {
    out.fill(0, offset, offset + v.length);
    return 0;
  }
  const inverse = 127 / maxAbs;
  for (let i = 0; i < v.length; i++) out[offset + i] = Math.round(v[i]! * inverse);
  return maxAbs / 127;
}

const NO_SUBJECT = -1;

/**
 * Packed, growable template storage shared by the exact and HNSW indexes: vectors in one typed
 * array (float32, or int8 plus a float32 scale per vector), a subject ordinal per slot and the
 * template id per slot. Subjects are interned to ordinals so the hot loop compares integers.
 * Slot `s` holds its vector at `s * dimension`. A slot whose subject is NO_SUBJECT is a tombstone.
 */
export class PackedVectorStore {
  readonly dimension: number;
  readonly quantization: VectorQuantization;
  private f32: Float32Array;
  private i8: Int8Array;
  private scales: Float32Array;
  private subjectOf: Int32Array;
  private templateIds: string[] = [];
  private capacity: number;
  private used = 0;
  private idBytes = 0;
  private readonly subjectOrdinals = new Map<string, number>();
  private readonly subjectNames: string[] = [];
  private subjectNameBytes = 0;

  constructor(dimension: number, quantization: VectorQuantization, initialCapacity = 1024) {
    this.dimension = dimension;
    this.quantization = quantization;
    this.capacity = Math.max(16, initialCapacity);
    this.f32 = new Float32Array(quantization === 'f32' ? this.capacity * dimension : 0);
    this.i8 = new Int8Array(quantization === 'int8' ? this.capacity * dimension : 0);
    this.scales = new Float32Array(quantization === 'int8' ? this.capacity : 0);
    this.subjectOf = new Int32Array(this.capacity);
  }

  /** Number of slots in use (live plus tombstones). */
  get length(): number {
    return this.used;
  }

  subjectAt(slot: number): number {
    return this.subjectOf[slot]!;
  }

  isLive(slot: number): boolean {
    return slot < this.used && this.subjectOf[slot]! !== NO_SUBJECT;
  }

  templateIdAt(slot: number): string {
    return this.templateIds[slot]!;
  }

  subjectName(ordinal: number): string {
    return this.subjectNames[ordinal]!;
  }

  /** Ordinal of `subjectId`, or undefined when it holds no template. */
  subjectOrdinal(subjectId: string): number | undefined {
    return this.subjectOrdinals.get(subjectId);
  }

  /** Forgets the subject's ordinal (call once none of its slots is live). */
  forgetSubject(subjectId: string): void {
    const ordinal = this.subjectOrdinals.get(subjectId);
    if (ordinal === undefined) return;
    this.subjectOrdinals.delete(subjectId);
    this.subjectNameBytes -= stringBytes(subjectId);
    this.subjectNames[ordinal] = '';
  }

  reserve(slots: number): void {
    if (slots <= this.capacity) return;
    const capacity = slots;
    const d = this.dimension;
    if (this.quantization === 'f32') {
      const f32 = new Float32Array(capacity * d);
      f32.set(this.f32.subarray(0, this.used * d));
      this.f32 = f32;
    } else {
      const i8 = new Int8Array(capacity * d);
      i8.set(this.i8.subarray(0, this.used * d));
      this.i8 = i8;
      const scales = new Float32Array(capacity);
      scales.set(this.scales.subarray(0, this.used));
      this.scales = scales;
    }
    const subjectOf = new Int32Array(capacity);
    subjectOf.set(this.subjectOf.subarray(0, this.used));
    this.subjectOf = subjectOf;
    this.capacity = capacity;
  }

  /** Appends a template (vector already validated); returns its slot. */
  append(entry: GalleryEntry): number {
    if (this.used === this.capacity) this.reserve(Math.ceil(this.capacity * 1.5));
    let ordinal = this.subjectOrdinals.get(entry.subjectId);
    if (ordinal === undefined) {
      ordinal = this.subjectNames.length;
      this.subjectNames.push(entry.subjectId);
      this.subjectOrdinals.set(entry.subjectId, ordinal);
      this.subjectNameBytes += stringBytes(entry.subjectId);
    }
    const slot = this.used++;
    const offset = slot * this.dimension;
    if (this.quantization === 'f32') this.f32.set(entry.vector, offset);
    else this.scales[slot] = quantizeInt8(entry.vector, this.i8, offset);
    this.subjectOf[slot] = ordinal;
    this.templateIds[slot] = entry.templateId;
    this.idBytes += stringBytes(entry.templateId);
    return slot;
  }

  /** Marks `slot` dead (its space is reclaimed only by compaction). */
  tombstone(slot: number): void {
    if (this.subjectOf[slot] === NO_SUBJECT) return;
    this.subjectOf[slot] = NO_SUBJECT;
    this.idBytes -= stringBytes(this.templateIds[slot]!);
    this.templateIds[slot] = '';
  }

  /** Removes `slot` by moving the last slot into it; returns the slot that moved (or -1). */
  swapRemove(slot: number): number {
    const last = this.used - 1;
    if (this.subjectOf[slot] !== NO_SUBJECT) this.idBytes -= stringBytes(this.templateIds[slot]!);
    let moved = -1;
    if (slot !== last) {
      const d = this.dimension;
      if (this.quantization === 'f32') this.f32.copyWithin(slot * d, last * d, last * d + d);
      else {
        this.i8.copyWithin(slot * d, last * d, last * d + d);
        this.scales[slot] = this.scales[last]!;
      }
      this.subjectOf[slot] = this.subjectOf[last]!;
      this.templateIds[slot] = this.templateIds[last]!;
      moved = last;
    }
    this.templateIds.length = last;
    this.used = last;
    return moved;
  }

  /** Writes the stored (dequantized, for int8) vector of `slot` into `out`. */
  vectorAt(slot: number, out: Float32Array): Float32Array {
    const d = this.dimension;
    const offset = slot * d;
    if (this.quantization === 'f32') out.set(this.f32.subarray(offset, offset + d));
    else {
      const scale = this.scales[slot]!;
      for (let i = 0; i < d; i++) out[i] = this.i8[offset + i]! * scale;
    }
    return out;
  }

  /** Dot product of the stored vector in `slot` with `query` (dequantized for int8). */
  score(slot: number, query: Float32Array): number {
    const d = this.dimension;
    const offset = slot * d;
    if (this.quantization === 'f32') return dotAt(this.f32, offset, query, d);
    return dotAt(this.i8, offset, query, d) * this.scales[slot]!;
  }

  /** Exhaustive scan of every live slot into `top`. */
  scanInto(query: Float32Array, top: SubjectTopK): void {
    if (this.quantization === 'f32') scanF32(this.f32, this.subjectOf, this.used, query, top);
    else scanI8(this.i8, this.scales, this.subjectOf, this.used, query, top);
  }

  /** Bytes held: typed arrays at capacity, the id array and the id strings, the subject table. */
  memoryBytes(): number {
    const vectorBytes = this.f32.byteLength + this.i8.byteLength + this.scales.byteLength + this.subjectOf.byteLength;
    const idArray = this.templateIds.length * 8;
    // Map entry (~ 3 words + hash table share) plus the names array slot per subject.
    const subjects = this.subjectOrdinals.size * 48 + this.subjectNames.length * 8;
    return vectorBytes + idArray + this.idBytes + subjects + this.subjectNameBytes;
  }
}

/** Dot product of `data[offset .. offset+d)` with `q`, unrolled by 8 with four accumulators. */
export function dotAt(data: Float32Array | Int8Array, offset: number, q: Float32Array, d: number): number {
  let a0 = 0;
  let a1 = 0;
  let a2 = 0;
  let a3 = 0;
  let j = 0;
  const end = d - (d & 7);
  for (; j < end; j += 8) {
    const o = offset + j;
    a0 += data[o]! * q[j]! + data[o + 4]! * q[j + 4]!;
    a1 += data[o + 1]! * q[j + 1]! + data[o + 5]! * q[j + 5]!;
    a2 += data[o + 2]! * q[j + 2]! + data[o + 6]! * q[j + 6]!;
    a3 += data[o + 3]! * q[j + 3]! + data[o + 7]! * q[j + 7]!;
  }
  for (; j < d; j++) a0 += data[offset + j]! * q[j]!;
  return a0 + a1 + a2 + a3;
}

// The two scans are written out separately (rather than calling dotAt) so each stays
// monomorphic on its element type and V8 can inline and keep the loop tight.
function scanF32(data: Float32Array, subjectOf: Int32Array, n: number, q: Float32Array, top: SubjectTopK): void {
  const d = q.length;
  const end = d - (d & 7);
  let threshold = top.threshold;
  for (let s = 0, offset = 0; s < n; s++, offset += d) {
    const subject = subjectOf[s]!;
    if (subject === NO_SUBJECT) continue;
    let a0 = 0;
    let a1 = 0;
    let a2 = 0;
    let a3 = 0;
    let j = 0;
    for (; j < end; j += 8) {
      const o = offset + j;
      a0 += data[o]! * q[j]! + data[o + 4]! * q[j + 4]!;
      a1 += data[o + 1]! * q[j + 1]! + data[o + 5]! * q[j + 5]!;
      a2 += data[o + 2]! * q[j + 2]! + data[o + 6]! * q[j + 6]!;
      a3 += data[o + 3]! * q[j + 3]! + data[o + 7]! * q[j + 7]!;
    }
    for (; j < d; j++) a0 += data[offset + j]! * q[j]!;
    const score = a0 + a1 + a2 + a3;
    if (score > threshold) {
      top.offer(score, subject, s);
      threshold = top.threshold;
    }
  }
}

function scanI8(data: Int8Array, scales: Float32Array, subjectOf: Int32Array, n: number, q: Float32Array, top: SubjectTopK): void {
  const d = q.length;
  const end = d - (d & 7);
  let threshold = top.threshold;
  for (let s = 0, offset = 0; s < n; s++, offset += d) {
    const subject = subjectOf[s]!;
    if (subject === NO_SUBJECT) continue;
    let a0 = 0;
    let a1 = 0;
    let a2 = 0;
    let a3 = 0;
    let j = 0;
    for (; j < end; j += 8) {
      const o = offset + j;
      a0 += data[o]! * q[j]! + data[o + 4]! * q[j + 4]!;
      a1 += data[o + 1]! * q[j + 1]! + data[o + 5]! * q[j + 5]!;
      a2 += data[o + 2]! * q[j + 2]! + data[o + 6]! * q[j + 6]!;
      a3 += data[o + 3]! * q[j + 3]! + data[o + 7]! * q[j + 7]!;
    }
    for (; j < d; j++) a0 += data[offset + j]! * q[j]!;
    const score = (a0 + a1 + a2 + a3) * scales[s]!;
    if (score > threshold) {
      top.offer(score, subject, s);
      threshold = top.threshold;
    }
  }
}
