/** The console's charts as plain numbers → SVG geometry (hand-drawn, no chart library), testable without a DOM. */

export interface DeclineRow {
  readonly day: string;
  readonly reason: string;
  readonly count: number;
}

export interface StackedDay {
  readonly day: string;
  readonly total: number;
  readonly parts: ReadonlyArray<{ reason: string; count: number; from: number }>;
}

/** Days in order, each with its reasons stacked in a fixed reason order (so colours stay put across days). */
export function stackDeclines(rows: readonly DeclineRow[]): { days: StackedDay[]; reasons: string[]; max: number } {
  const reasons = [...new Set(rows.map((r) => r.reason))].sort();
  const days = [...new Set(rows.map((r) => r.day))].sort();
  const stacked = days.map((day) => {
    let from = 0;
    const parts = reasons.flatMap((reason) => {
      const count = rows.filter((r) => r.day === day && r.reason === reason).reduce((sum, r) => sum + r.count, 0);
      if (count === 0) return [];
      const part = { reason, count, from };
      from += count;
      return [part];
    });
    return { day, total: from, parts };
  });
  return { days: stacked, reasons, max: Math.max(1, ...stacked.map((d) => d.total)) };
}

export interface DetPoint {
  readonly fmr: number;
  readonly fnmr: number;
}

/** log10 axis bounds that cover the positive values, in whole decades. */
export function decades(values: readonly number[], floor = 1e-6): [number, number] {
  const positive = values.filter((v) => v > 0);
  if (positive.length === 0) return [Math.log10(floor), 0];
  return [Math.floor(Math.log10(Math.max(floor, Math.min(...positive)))), Math.min(0, Math.ceil(Math.log10(Math.max(...positive))))];
}

/**
 * A DET curve (FNMR against FMR, both on log axes) as an SVG path in a width × height box.
 * Zero rates sit at the floor of their axis, so the curve does not vanish at its ends.
 */
export function detPath(points: readonly DetPoint[], width: number, height: number): { d: string; fmrRange: [number, number]; fnmrRange: [number, number] } {
  const fmrRange = decades(points.map((p) => p.fmr));
  const fnmrRange = decades(points.map((p) => p.fnmr), 1e-4);
  const x = (fmr: number) => ((Math.log10(Math.max(fmr, 10 ** fmrRange[0])) - fmrRange[0]) / Math.max(1e-9, fmrRange[1] - fmrRange[0])) * width;
  const y = (fnmr: number) => height - ((Math.log10(Math.max(fnmr, 10 ** fnmrRange[0])) - fnmrRange[0]) / Math.max(1e-9, fnmrRange[1] - fnmrRange[0])) * height;
  const sorted = [...points].sort((a, b) => a.fmr - b.fmr);
  const d = sorted.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.fmr).toFixed(1)},${y(p.fnmr).toFixed(1)}`).join(' ');
  return { d, fmrRange, fnmrRange };
}

/** The number the risk policy is about: expected false matches per 1:N search. */
export function expectedFalseMatches(gallerySize: number, targetFmr: number): number {
  return gallerySize * targetFmr;
}
