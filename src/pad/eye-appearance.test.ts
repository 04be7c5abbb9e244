import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { GrayImage } from '../imaging/gray-pyramid.js';
import { frame } from '../../test/kit/synthetic-face-burst.js';
import { LEFT_EYE_LANDMARKS, RIGHT_EYE_LANDMARKS, eyeCentre } from '../quality/eye-openness.js';
import { eyeAppearanceChange } from './eye-appearance.js';
import type { Matrix3 } from './planar-homography.js';

const face = frame({ seed: 1 });
const IDENTITY: Matrix3 = [1, 0, 0, 0, 1, 0, 0, 0, 1];

/** Textured skin everywhere, shifted by (dx, dy); `closed` paints both eye regions a flat lid colour. */
function picture(dx: number, dy: number, closed = false): GrayImage {
  const width = 640;
  const height = 480;
  const data = new Float32Array(width * height);
  const eyes = [RIGHT_EYE_LANDMARKS, LEFT_EYE_LANDMARKS].map((eye) => eyeCentre(face.mesh, eye));
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const u = x - dx;
      const v = y - dy;
      const inEye = eyes.some((c) => Math.abs(u - c.x) < 30 && Math.abs(v - c.y) < 12);
      data[y * width + x] =
        closed && inEye ? 150 + 3 * Math.sin(u * 0.3) : 128 + 50 * Math.sin(u * 0.23 + v * 0.11) + 30 * Math.cos(u * 0.07 - v * 0.29);
    }
  }
  return { width, height, data };
}

test('a picture moved in the plane, mapped back by its homography, keeps its eyes: no change', () => {
  const shifted: Matrix3 = [1, 0, 5.5, 0, 1, -3.25, 0, 0, 1];
  const change = eyeAppearanceChange(picture(0, 0), picture(5.5, -3.25), face.mesh, shifted);
  assert.ok(change < 0.02, `change ${change}`);
});

test('lids closed over the eyes, the rest of the face unchanged: a large change', () => {
  const change = eyeAppearanceChange(picture(0, 0), picture(0, 0, true), face.mesh, IDENTITY);
  assert.ok(change > 0.5, `change ${change}`);
});

test('a change of the whole frame (a wrong map) counts against the control patch, not as a blink', () => {
  // Mapped with the wrong shift, every patch decorrelates alike: the eyes changed no more than the face.
  const change = eyeAppearanceChange(picture(0, 0), picture(9, 7), face.mesh, IDENTITY);
  assert.ok(change < 0.2, `change ${change}`);
});
