import test from 'node:test';
import assert from 'node:assert/strict';
import { applyTransform, fitSimilarityTransform, invertTransform, transformScale } from './similarity-transform.js';

const square = [
  { x: 0, y: 0 },
  { x: 10, y: 0 },
  { x: 10, y: 10 },
  { x: 0, y: 10 },
];

test('recovers a known rotation, scale and translation exactly', () => {
  const angle = (30 * Math.PI) / 180;
  const scale = 2.5;
  const truth = { a: scale * Math.cos(angle), b: scale * Math.sin(angle), tx: 7, ty: -3 };
  const moved = square.map((p) => applyTransform(truth, p));
  const fitted = fitSimilarityTransform(square, moved);
  assert.ok(Math.abs(fitted.a - truth.a) < 1e-9);
  assert.ok(Math.abs(fitted.b - truth.b) < 1e-9);
  assert.ok(Math.abs(fitted.tx - truth.tx) < 1e-9);
  assert.ok(Math.abs(fitted.ty - truth.ty) < 1e-9);
  assert.ok(Math.abs(transformScale(fitted) - scale) < 1e-9);
});

test('inverse undoes the transform', () => {
  const t = { a: 0.8, b: -0.3, tx: 12, ty: 4 };
  const back = invertTransform(t);
  for (const p of square) {
    const q = applyTransform(back, applyTransform(t, p));
    assert.ok(Math.hypot(q.x - p.x, q.y - p.y) < 1e-9);
  }
});

test('never fits a reflection: a mirrored target gives a residual, not a flip', () => {
  const mirrored = square.map((p) => ({ x: -p.x, y: p.y }));
  const t = fitSimilarityTransform(square, mirrored);
  const residual = square.reduce((sum, p, i) => {
    const q = applyTransform(t, p);
    return sum + Math.hypot(q.x - mirrored[i]!.x, q.y - mirrored[i]!.y);
  }, 0);
  assert.ok(residual > 1, `a reflection would fit exactly; residual was ${residual}`);
});

test('refuses degenerate input', () => {
  assert.throws(() => fitSimilarityTransform([{ x: 1, y: 1 }], [{ x: 2, y: 2 }]), RangeError);
  assert.throws(
    () =>
      fitSimilarityTransform(
        [
          { x: 1, y: 1 },
          { x: 1, y: 1 },
        ],
        square.slice(0, 2),
      ),
    RangeError,
  );
});
