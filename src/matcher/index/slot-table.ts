import { InvalidArgument } from '../../errors/domain-errors.js';
import { stringBytes } from './gallery-index.js';

const NO_SUBJECT = -1;
/** Length marker of an id packed as the 16 bytes of a canonical lowercase UUID. */
const UUID_PACKED = 0xffff;
const MAX_TEXT_BYTES = 0xfffe;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const HEX = '0123456789abcdef';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Per-slot bookkeeping of the HNSW index, in typed arrays rather than one JS string and array slot
 * per template: at a million templates a JS string id costs 30–60 bytes plus 8 for the array slot,
 * more than the graph's own share of the budget. Each slot holds a subject ordinal (4 B) and its
 * template id in a byte arena (offset 4 B + length 2 B + the UTF-8 bytes, or 16 bytes for the
 * UUIDs the stores issue). Freed slots and subject ordinals are reused, so a gallery with churn
 * does not grow; the arena is compacted once freed bytes outweigh live ones.
 */
export class SlotTable {
  private subjectOf: Int32Array;
  private idOffset: Uint32Array;
  private idLength: Uint16Array;
  private arena: Uint8Array;
  private arenaUsed = 0;
  private arenaGarbage = 0;
  private freeSlots: Int32Array;
  private freeCount = 0;
  private used = 0;
  private live = 0;
  private readonly subjectOrdinals = new Map<string, number>();
  private readonly subjectNames: string[] = [];
  private readonly freeOrdinals: number[] = [];
  private subjectNameBytes = 0;

  constructor(initialCapacity = 1024) {
    const capacity = Math.max(16, initialCapacity);
    this.subjectOf = new Int32Array(capacity);
    this.idOffset = new Uint32Array(capacity);
    this.idLength = new Uint16Array(capacity);
    this.freeSlots = new Int32Array(0);
    this.arena = new Uint8Array(capacity * 16);
  }

  /** Slots ever handed out (live plus free); slot numbers are below this. */
  get length(): number {
    return this.used;
  }

  /** Slots holding a template. */
  get size(): number {
    return this.live;
  }

  isLive(slot: number): boolean {
    return slot >= 0 && slot < this.used && this.subjectOf[slot]! !== NO_SUBJECT;
  }

  subjectAt(slot: number): number {
    return this.subjectOf[slot]!;
  }

  subjectName(ordinal: number): string {
    return this.subjectNames[ordinal]!;
  }

  subjectOrdinal(subjectId: string): number | undefined {
    return this.subjectOrdinals.get(subjectId);
  }

  reserve(slots: number): void {
    if (slots <= this.subjectOf.length) return;
    this.subjectOf = grow(this.subjectOf, slots, Int32Array);
    this.idOffset = grow(this.idOffset, slots, Uint32Array);
    this.idLength = grow(this.idLength, slots, Uint16Array);
  }

  /** Stores a template's ids in a free slot (reused first); returns the slot. */
  allocate(subjectId: string, templateId: string): number {
    const slot = this.freeCount > 0 ? this.freeSlots[--this.freeCount]! : this.used;
    if (slot === this.used) {
      if (this.used === this.subjectOf.length) this.reserve(Math.ceil(this.used * 1.5));
      this.used++;
    }
    this.subjectOf[slot] = this.internSubject(subjectId);
    this.writeId(slot, templateId);
    this.live++;
    return slot;
  }

  /** Frees every slot of the subject and forgets it; returns the freed slots. */
  releaseSubject(subjectId: string): number[] {
    const ordinal = this.subjectOrdinals.get(subjectId);
    if (ordinal === undefined) return [];
    const freed: number[] = [];
    for (let s = 0; s < this.used; s++) if (this.subjectOf[s] === ordinal) freed.push(s);
    if (this.freeSlots.length < this.freeCount + freed.length) {
      this.freeSlots = grow(this.freeSlots, Math.max(16, (this.freeCount + freed.length) * 2), Int32Array);
    }
    for (const s of freed) {
      this.subjectOf[s] = NO_SUBJECT;
      this.arenaGarbage += storedBytes(this.idLength[s]!);
      this.idLength[s] = 0;
      this.freeSlots[this.freeCount++] = s;
    }
    this.live -= freed.length;
    this.subjectOrdinals.delete(subjectId);
    this.subjectNameBytes -= stringBytes(subjectId);
    this.subjectNames[ordinal] = '';
    this.freeOrdinals.push(ordinal);
    if (this.arenaGarbage > 65_536 && this.arenaGarbage > this.arenaUsed / 2) this.compactArena();
    return freed;
  }

  templateIdAt(slot: number): string {
    const length = this.idLength[slot]!;
    const offset = this.idOffset[slot]!;
    if (length !== UUID_PACKED) return decoder.decode(this.arena.subarray(offset, offset + length));
    let out = '';
    for (let i = 0; i < 16; i++) {
      const byte = this.arena[offset + i]!;
      out += HEX[byte >> 4]! + HEX[byte & 15]!;
      if (i === 3 || i === 5 || i === 7 || i === 9) out += '-';
    }
    return out;
  }

  /** Bytes held: the typed arrays at capacity, the arena, and the subject table. */
  memoryBytes(): number {
    const arrays = this.subjectOf.byteLength + this.idOffset.byteLength + this.idLength.byteLength + this.freeSlots.byteLength;
    // Map entry (~3 words plus its share of the hash table) and the names array slot per subject.
    const subjects = this.subjectOrdinals.size * 48 + this.subjectNames.length * 8 + this.subjectNameBytes;
    return arrays + this.arena.byteLength + subjects;
  }

  private internSubject(subjectId: string): number {
    let ordinal = this.subjectOrdinals.get(subjectId);
    if (ordinal !== undefined) return ordinal;
    ordinal = this.freeOrdinals.pop() ?? this.subjectNames.length;
    this.subjectNames[ordinal] = subjectId;
    this.subjectOrdinals.set(subjectId, ordinal);
    this.subjectNameBytes += stringBytes(subjectId);
    return ordinal;
  }

  private writeId(slot: number, templateId: string): void {
    const packed = UUID.test(templateId);
    const maxBytes = packed ? 16 : templateId.length * 3;
    this.ensureArena(maxBytes);
    const offset = this.arenaUsed;
    let length: number;
    if (packed) {
      const hex = templateId.replaceAll('-', '');
      for (let i = 0; i < 16; i++) this.arena[offset + i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
      length = UUID_PACKED;
    } else {
      length = encoder.encodeInto(templateId, this.arena.subarray(offset)).written;
      if (length > MAX_TEXT_BYTES) {
        throw new InvalidArgument(`gallery index: templateId longer than ${MAX_TEXT_BYTES} bytes`, {});
      }
    }
    this.idOffset[slot] = offset;
    this.idLength[slot] = length;
    this.arenaUsed += storedBytes(length);
  }

  private ensureArena(bytes: number): void {
    if (this.arenaUsed + bytes <= this.arena.length) return;
    // Modest growth: the copy is cheap next to the idle quarter a 1.5× step leaves on average.
    const arena = new Uint8Array(Math.max(this.arenaUsed + bytes, Math.ceil(this.arena.length * 1.25)));
    arena.set(this.arena.subarray(0, this.arenaUsed));
    this.arena = arena;
  }

  /** Rewrites the arena with only the live ids, in slot order. */
  private compactArena(): void {
    const arena = new Uint8Array(Math.max(1024, Math.ceil((this.arenaUsed - this.arenaGarbage) * 1.25)));
    let at = 0;
    for (let s = 0; s < this.used; s++) {
      if (this.subjectOf[s] === NO_SUBJECT) continue;
      const bytes = storedBytes(this.idLength[s]!);
      arena.set(this.arena.subarray(this.idOffset[s]!, this.idOffset[s]! + bytes), at);
      this.idOffset[s] = at;
      at += bytes;
    }
    this.arena = arena;
    this.arenaUsed = at;
    this.arenaGarbage = 0;
  }
}

function storedBytes(length: number): number {
  return length === UUID_PACKED ? 16 : length;
}

function grow<T extends Int32Array | Uint32Array | Uint16Array>(array: T, length: number, Kind: new (length: number) => T): T {
  const next = new Kind(length);
  next.set(array);
  return next;
}
