import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Point2 } from '../analysis/face-analysis.js';
import { InvalidArgument } from '../errors/domain-errors.js';
import { eyeAspectRatio, eyeAspectRatios, LEFT_EYE_LANDMARKS, RIGHT_EYE_LANDMARKS, type EyeLandmarks } from './eye-openness.js';

/**
 * A 478-point mesh with only the eye points placed: each eye `width` px wide, lids `gap` px apart.
 * The subject's right eye sits on the image's left (x ≈ 100), the left eye on the image's right (x ≈ 200).
 */
function meshWithEyes(right: { width: number; gap: number }, left: { width: number; gap: number }, scale = 1): Point2[] {
  const mesh: Point2[] = Array.from({ length: 478 }, () => ({ x: 150 * scale, y: 150 * scale }));
  const place = (eye: EyeLandmarks, cx: number, { width, gap }: { width: number; gap: number }): void => {
    mesh[eye.corners[0]] = { x: (cx - width / 2) * scale, y: 100 * scale };
    mesh[eye.corners[1]] = { x: (cx + width / 2) * scale, y: 100 * scale };
    eye.lidPairs.forEach(([upper, lower], k) => {
      const x = cx + (k - 1) * (width / 4);
      mesh[upper] = { x: x * scale, y: (100 - gap / 2) * scale };
      mesh[lower] = { x: x * scale, y: (100 + gap / 2) * scale };
    });
  };
  place(RIGHT_EYE_LANDMARKS, 100, right);
  place(LEFT_EYE_LANDMARKS, 200, left);
  return mesh;
}

test('landmark indices are the documented MediaPipe eye points', () => {
  assert.deepEqual(RIGHT_EYE_LANDMARKS.corners, [33, 133]);
  assert.deepEqual(
    RIGHT_EYE_LANDMARKS.lidPairs.map(([u]) => u),
    [160, 159, 158],
  );
  assert.deepEqual(
    RIGHT_EYE_LANDMARKS.lidPairs.map(([, l]) => l),
    [144, 145, 153],
  );
  assert.deepEqual(LEFT_EYE_LANDMARKS.corners, [362, 263]);
  assert.deepEqual(
    LEFT_EYE_LANDMARKS.lidPairs.map(([u]) => u),
    [387, 386, 385],
  );
  assert.deepEqual(
    LEFT_EYE_LANDMARKS.lidPairs.map(([, l]) => l),
    [373, 374, 380],
  );
});

test('EAR = mean lid gap / eye width, per eye', () => {
  const ears = eyeAspectRatios(meshWithEyes({ width: 30, gap: 9 }, { width: 30, gap: 1.5 }));
  assert.ok(Math.abs(ears.right - 0.3) < 1e-12, `right ${ears.right}`);
  assert.ok(Math.abs(ears.left - 0.05) < 1e-12, `left ${ears.left}`);
});

test('EAR is scale invariant and ignores where the face is', () => {
  const small = eyeAspectRatios(meshWithEyes({ width: 30, gap: 8 }, { width: 28, gap: 7 }));
  const large = eyeAspectRatios(meshWithEyes({ width: 30, gap: 8 }, { width: 28, gap: 7 }, 4.5));
  assert.ok(Math.abs(small.right - large.right) < 1e-12);
  assert.ok(Math.abs(small.left - large.left) < 1e-12);
  assert.ok(Math.abs(small.left - 0.25) < 1e-12);
});

test('open eyes score well above closed ones', () => {
  const open = eyeAspectRatios(meshWithEyes({ width: 30, gap: 9 }, { width: 30, gap: 9 }));
  const closed = eyeAspectRatios(meshWithEyes({ width: 30, gap: 1 }, { width: 30, gap: 1 }));
  assert.ok(open.left > 0.25 && open.right > 0.25);
  assert.ok(closed.left < 0.05 && closed.right < 0.05);
});

test('degenerate eye (zero width) gives 0, and a mesh without the 468 points is refused', () => {
  const mesh = meshWithEyes({ width: 0, gap: 0 }, { width: 30, gap: 9 });
  assert.equal(eyeAspectRatio(mesh, RIGHT_EYE_LANDMARKS), 0);
  assert.throws(
    () => eyeAspectRatios(mesh.slice(0, 68)),
    (e: unknown) => e instanceof InvalidArgument && /468-point/.test(e.message),
  );
});
