/**
 * The counts behind APCER and BPCER (ISO/IEC 30107-3), kept per attack species and per bona fide
 * kind as bursts are judged.
 */
import type { BurstLivenessReason, LivenessVerdict } from '../../pad/burst-liveness.js';

export interface ErrorCount {
  readonly presentations: number;
  readonly errors: number;
  readonly notJudged: number;
  readonly rate: number;
  /** Reasons given for refusals (attacks: how they were caught; bona fide: why they were refused). */
  readonly reasons: Record<string, number>;
}

class Tally {
  private readonly counts = new Map<
    string,
    { presentations: number; errors: number; notJudged: number; reasons: Record<string, number> }
  >();
  add(key: string, judged: boolean, error: boolean, reasons: readonly BurstLivenessReason[]): void {
    const c = this.counts.get(key) ?? { presentations: 0, errors: 0, notJudged: 0, reasons: {} };
    c.presentations += 1;
    if (!judged) c.notJudged += 1;
    else if (error) c.errors += 1;
    for (const r of reasons) c.reasons[r] = (c.reasons[r] ?? 0) + 1;
    this.counts.set(key, c);
  }
  result(): Record<string, ErrorCount> {
    const out: Record<string, ErrorCount> = {};
    for (const [key, c] of this.counts) {
      const judged = c.presentations - c.notJudged;
      out[key] = { ...c, rate: judged > 0 ? c.errors / judged : 0 };
    }
    return out;
  }
}

/** APCER per attack species and BPCER per bona fide kind, burst by burst; a burst without a verdict counts as not judged. */
export class PadTallies {
  private readonly apcer = new Tally();
  private readonly bpcer = new Tally();

  /** The error is an attack judged live, or a bona fide burst judged not live. */
  record(label: { readonly kind: string; readonly bonaFide: boolean }, verdict: LivenessVerdict | null): void {
    const tally = label.bonaFide ? this.bpcer : this.apcer;
    tally.add(label.kind, verdict !== null, verdict?.live === !label.bonaFide, verdict?.reasons ?? []);
  }

  result(): { apcer: Record<string, ErrorCount>; bpcer: Record<string, ErrorCount> } {
    return { apcer: this.apcer.result(), bpcer: this.bpcer.result() };
  }
}
