/**
 * Bounded min-heap keeping the best `k` subjects, one entry per subject (its best score so far).
 * Offers below the current minimum of a full heap are rejected in O(1), which is the common case
 * in a scan; only offers that beat the minimum pay the O(k) subject lookup and O(log k) sift.
 */
export class SubjectTopK {
  readonly k: number;
  private readonly scores: Float64Array;
  private readonly subjects: Int32Array;
  private readonly slots: Int32Array;
  private count = 0;

  constructor(k: number) {
    this.k = k;
    this.scores = new Float64Array(k);
    this.subjects = new Int32Array(k);
    this.slots = new Int32Array(k);
  }

  /** Score a full heap must beat to be admitted (-Infinity while not full). */
  get threshold(): number {
    return this.count < this.k ? -Infinity : this.scores[0]!;
  }

  offer(score: number, subject: number, slot: number): void {
    const count = this.count;
    if (count === this.k && score <= this.scores[0]!) return;
    for (let i = 0; i < count; i++) {
      if (this.subjects[i] === subject) {
        if (score > this.scores[i]!) {
          this.scores[i] = score;
          this.slots[i] = slot;
          this.siftDown(i);
        }
        return;
      }
    }
    if (count < this.k) {
      this.scores[count] = score;
      this.subjects[count] = subject;
      this.slots[count] = slot;
      this.count = count + 1;
      this.siftUp(count);
    } else {
      this.scores[0] = score;
      this.subjects[0] = subject;
      this.slots[0] = slot;
      this.siftDown(0);
    }
  }

  /** Best first. */
  drain(): Array<{ score: number; subject: number; slot: number }> {
    const out: Array<{ score: number; subject: number; slot: number }> = [];
    for (let i = 0; i < this.count; i++) {
      out.push({ score: this.scores[i]!, subject: this.subjects[i]!, slot: this.slots[i]! });
    }
    out.sort((a, b) => b.score - a.score || a.slot - b.slot);
    this.count = 0;
    return out;
  }

  private swap(i: number, j: number): void {
    const s = this.scores[i]!;
    this.scores[i] = this.scores[j]!;
    this.scores[j] = s;
    const u = this.subjects[i]!;
    this.subjects[i] = this.subjects[j]!;
    this.subjects[j] = u;
    const t = this.slots[i]!;
    this.slots[i] = this.slots[j]!;
    this.slots[j] = t;
  }

  private siftUp(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.scores[parent]! <= this.scores[i]!) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  private siftDown(i: number): void {
    const n = this.count;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const smallest = r < n && this.scores[r]! < this.scores[l]! ? r : l;
      if (this.scores[i]! <= this.scores[smallest]!) break;
      this.swap(i, smallest);
      i = smallest;
    }
  }
}
