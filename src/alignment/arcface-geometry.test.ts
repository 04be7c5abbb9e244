import test from 'node:test';
import assert from 'node:assert/strict';
import type { Point2 } from '../analysis/face-analysis.js';
import { ARCFACE_112_REFERENCE, arcfaceFivePoints } from './arcface-geometry.js';
import { applyTransform, fitSimilarityTransform } from './similarity-transform.js';

/** A 468-point mesh whose eye contours, nose tip and mouth corners sit where `five` says. */
function meshWith(five: readonly Point2[]): Point2[] {
  const mesh: Point2[] = Array.from({ length: 468 }, () => ({ x: -1000, y: -1000 }));
  const ring = (indices: number[], c: Point2) =>
    indices.forEach((i, k) => {
      const angle = (2 * Math.PI * k) / indices.length;
      mesh[i] = { x: c.x + 6 * Math.cos(angle), y: c.y + 3 * Math.sin(angle) };
    });
  ring([33, 7, 163, 144, 145, 153, 154, 155, 133, 173, 157, 158, 159, 160, 161, 246], five[0]!);
  ring([263, 249, 390, 373, 374, 380, 381, 382, 362, 398, 384, 385, 386, 387, 388, 466], five[1]!);
  mesh[1] = five[2]!;
  mesh[61] = five[3]!;
  mesh[291] = five[4]!;
  return mesh;
}

test('the five points are the eye-contour centroids, nose tip and mouth corners, in ArcFace order', () => {
  const five = [
    { x: 100, y: 120 },
    { x: 160, y: 118 },
    { x: 131, y: 150 },
    { x: 108, y: 185 },
    { x: 155, y: 184 },
  ];
  const got = arcfaceFivePoints(meshWith(five));
  got.forEach((p, i) => {
    assert.ok(Math.abs(p.x - five[i]!.x) < 1e-9 && Math.abs(p.y - five[i]!.y) < 1e-9, `point ${i}: ${JSON.stringify(p)}`);
  });
});

test('a face that is the reference rotated, scaled and moved aligns back onto the reference', () => {
  const angle = 0.3;
  const scale = 2.5;
  const face = ARCFACE_112_REFERENCE.map((p) => ({
    x: scale * (Math.cos(angle) * p.x - Math.sin(angle) * p.y) + 40,
    y: scale * (Math.sin(angle) * p.x + Math.cos(angle) * p.y) + 70,
  }));
  const t = fitSimilarityTransform(arcfaceFivePoints(meshWith(face)), ARCFACE_112_REFERENCE);
  ARCFACE_112_REFERENCE.forEach((ref, i) => {
    const p = applyTransform(t, face[i]!);
    assert.ok(Math.hypot(p.x - ref.x, p.y - ref.y) < 1e-6, `point ${i} lands ${JSON.stringify(p)}, not ${JSON.stringify(ref)}`);
  });
});

test('a mesh without the needed points is refused, not silently aligned', () => {
  assert.throws(() => arcfaceFivePoints([{ x: 0, y: 0 }]), RangeError);
});
