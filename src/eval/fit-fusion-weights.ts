import { sortedScores, tarAtFar } from './metrics/index.js';

export interface FusionFitInput {
  readonly engines: readonly string[];
  /** genuine[e][k]: score of engine e on genuine pair k; the same pair order for every engine. */
  readonly genuine: readonly Float64Array[];
  readonly impostor: readonly Float64Array[];
}

export interface FusionFit {
  readonly weights: Record<string, number>;
  readonly tarAtFar1e3: number;
  readonly tarAtFar1e4: number;
  readonly objective: string;
}

const MAX_IMPOSTORS = 1_000_000;

/**
 * Grid search over the weight simplex (step 0.05) for the fused score Σ α_i·s_i that maximizes
 * TAR at FAR 1e-3, ties broken by TAR at FAR 1e-4 — the operating region payments use. Pairs
 * where any engine failed to enroll are left out of the fit (they fail for every weighting).
 * Impostors are thinned by a fixed stride to at most a million, which still leaves 1,000
 * impostors above the FAR 1e-3 threshold.
 */
export function fitFusionWeights(input: FusionFitInput, step = 0.05): FusionFit {
  const genuine = finiteRows(input.genuine, Number.POSITIVE_INFINITY);
  const impostor = finiteRows(input.impostor, MAX_IMPOSTORS);
  const m = input.engines.length;
  let best: { weights: number[]; t3: number; t4: number } | undefined;
  for (const weights of simplexGrid(m, step)) {
    const g = sortedScores(combine(genuine, weights));
    const i = sortedScores(combine(impostor, weights));
    const t3 = tarAtFar(g, i, 1e-3).tar;
    const t4 = tarAtFar(g, i, 1e-4).tar;
    if (!best || t3 > best.t3 + 1e-12 || (Math.abs(t3 - best.t3) <= 1e-12 && t4 > best.t4)) best = { weights, t3, t4 };
  }
  if (!best) throw new Error('fusion fit: no engines');
  return {
    weights: Object.fromEntries(input.engines.map((e, k) => [e, best!.weights[k]!])),
    tarAtFar1e3: best.t3,
    tarAtFar1e4: best.t4,
    objective: `max TAR@FAR=1e-3 (tie: TAR@FAR=1e-4), simplex grid step ${step}`,
  };
}

function finiteRows(columns: readonly Float64Array[], limit: number): Float64Array[] {
  const n = columns[0]?.length ?? 0;
  const stride = Math.max(1, Math.ceil(n / limit));
  const keep: number[] = [];
  for (let k = 0; k < n; k += stride) if (columns.every((c) => Number.isFinite(c[k]!))) keep.push(k);
  return columns.map((c) => Float64Array.from(keep, (k) => c[k]!));
}

function combine(columns: readonly Float64Array[], weights: readonly number[]): Float64Array {
  const out = new Float64Array(columns[0]!.length);
  columns.forEach((c, e) => {
    const w = weights[e]!;
    if (w === 0) return;
    for (let k = 0; k < out.length; k++) out[k]! += w * c[k]!;
  });
  return out;
}

function* simplexGrid(m: number, step: number): Generator<number[]> {
  const units = Math.round(1 / step);
  const walk = function* (left: number, remaining: number): Generator<number[]> {
    if (remaining === 1) {
      yield [left];
      return;
    }
    for (let u = 0; u <= left; u++) for (const rest of walk(left - u, remaining - 1)) yield [u, ...rest];
  };
  for (const units_ of walk(units, m)) if (units_.some((u) => u > 0)) yield units_.map((u) => u / units);
}
