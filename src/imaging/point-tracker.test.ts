import assert from 'node:assert/strict';
import { test } from 'node:test';
import { grayPyramid, halve, type GrayImage } from './gray-pyramid.js';
import { trackPoints, trackPointsBothWays } from './point-tracker.js';

/** A smooth random texture (sum of sinusoids), shifted by (dx, dy): what a camera sees of a moved print. */
function texture(width: number, height: number, dx = 0, dy = 0, flatFromX = Number.POSITIVE_INFINITY): GrayImage {
  const data = new Float32Array(width * height);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const u = x - dx;
      const v = y - dy;
      data[y * width + x] =
        x >= flatFromX
          ? 128
          : 128 + 40 * Math.sin(u * 0.21 + v * 0.07) + 30 * Math.cos(u * 0.05 - v * 0.19) + 20 * Math.sin(u * 0.13 + v * 0.31 + 1);
    }
  }
  return { width, height, data };
}

const grid = [
  { x: 60, y: 60 },
  { x: 100, y: 80 },
  { x: 140, y: 120 },
  { x: 80, y: 140 },
];

test('a textured patch moved by a sub-pixel shift is found to a twentieth of a pixel', () => {
  const from = grayPyramid(texture(200, 200), 4);
  const to = grayPyramid(texture(200, 200, 3.3, -2.7), 4);
  const found = trackPoints(from, to, grid);
  found.forEach((t, i) => {
    assert.ok(t.point, `point ${i} lost`);
    assert.ok(Math.abs(t.point.x - (grid[i]!.x + 3.3)) < 0.05, `x ${t.point.x}`);
    assert.ok(Math.abs(t.point.y - (grid[i]!.y - 2.7)) < 0.05, `y ${t.point.y}`);
    assert.ok(t.residual < 1, `residual ${t.residual}`);
  });
});

test('a motion larger than the window is followed through the pyramid, from a rough guess', () => {
  const from = grayPyramid(texture(240, 240), 4);
  const to = grayPyramid(texture(240, 240, 17.5, 9.25), 4);
  const guesses = grid.map((p) => ({ x: p.x + 15, y: p.y + 12 }));
  trackPoints(from, to, grid, guesses).forEach((t, i) => {
    assert.ok(t.point, `point ${i} lost`);
    assert.ok(Math.hypot(t.point.x - grid[i]!.x - 17.5, t.point.y - grid[i]!.y - 9.25) < 0.1);
  });
});

test('a point on a flat colour has nothing to follow and is lost; the round trip keeps the textured ones', () => {
  const from = grayPyramid(texture(200, 200, 0, 0, 120), 4);
  const to = grayPyramid(texture(200, 200, 2, 1, 120), 4);
  const points = [{ x: 60, y: 60 }, { x: 170, y: 100 }];
  const [textured, flat] = trackPoints(from, to, points);
  assert.ok(textured!.point);
  assert.equal(flat!.point, null);
  const both = trackPointsBothWays(from, to, points, null, 0.3);
  assert.ok(both[0]);
  assert.equal(both[1], null);
});

test('a patch that is not in the other image at all fails the round trip', () => {
  const from = grayPyramid(texture(200, 200), 4);
  // The second image is another texture: whatever the forward search finds, it does not lead back.
  const other = texture(200, 200);
  for (let i = 0; i < other.data.length; i += 1) other.data[i] = 255 - other.data[(i * 7919) % other.data.length]!;
  const to = grayPyramid(other, 4);
  const both = trackPointsBothWays(from, to, grid, null, 0.3);
  assert.ok(both.filter((p) => p !== null).length <= 1, JSON.stringify(both));
});

test('halving blurs with the binomial kernel: a constant image stays constant, sizes halve', () => {
  const constant: GrayImage = { width: 9, height: 6, data: new Float32Array(54).fill(77) };
  const half = halve(constant);
  assert.equal(half.width, 4);
  assert.equal(half.height, 3);
  for (const v of half.data) assert.ok(Math.abs(v - 77) < 1e-4);
});
