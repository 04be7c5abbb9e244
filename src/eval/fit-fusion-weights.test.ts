import test from 'node:test';
import assert from 'node:assert/strict';
import { fitFusionWeights } from './fit-fusion-weights.js';

function lcg(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 16807) % 2147483647) / 2147483647;
}

test('puts the weight on the engine that separates genuine from impostor pairs', () => {
  const r = lcg(7);
  const n = 3000;
  const m = 30000;
  const good = { g: Float64Array.from({ length: n }, () => 0.8 + 0.1 * r()), i: Float64Array.from({ length: m }, () => 0.85 * r()) };
  const noise = { g: Float64Array.from({ length: n }, () => r()), i: Float64Array.from({ length: m }, () => r()) };
  const fit = fitFusionWeights({ engines: ['good', 'noise'], genuine: [good.g, noise.g], impostor: [good.i, noise.i] }, 0.1);
  assert.ok(fit.weights.good! >= 0.8, JSON.stringify(fit.weights));
  assert.ok(fit.tarAtFar1e3 > 0.5);
  assert.ok(Math.abs(fit.weights.good! + fit.weights.noise! - 1) < 1e-9);
});

test('two complementary engines get a fused score better than either alone', () => {
  const r = lcg(11);
  const n = 2000;
  const m = 40000;
  // Each engine sees the genuine signal through its own independent noise.
  const make = (count: number, genuine: boolean) => {
    const a = new Float64Array(count);
    const b = new Float64Array(count);
    for (let k = 0; k < count; k++) {
      const base = genuine ? 1 : 0;
      a[k] = base + (r() + r() + r() - 1.5) * 0.6;
      b[k] = base + (r() + r() + r() - 1.5) * 0.6;
    }
    return [a, b] as const;
  };
  const [ga, gb] = make(n, true);
  const [ia, ib] = make(m, false);
  const fit = fitFusionWeights({ engines: ['a', 'b'], genuine: [ga, gb], impostor: [ia, ib] }, 0.1);
  assert.ok(fit.weights.a! > 0.2 && fit.weights.b! > 0.2, JSON.stringify(fit.weights));
  const alone = fitFusionWeights({ engines: ['a'], genuine: [ga], impostor: [ia] }, 0.1);
  assert.ok(fit.tarAtFar1e3 > alone.tarAtFar1e3, `${fit.tarAtFar1e3} vs ${alone.tarAtFar1e3}`);
});
