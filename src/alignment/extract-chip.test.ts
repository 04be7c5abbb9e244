import test from 'node:test';
import assert from 'node:assert/strict';
import { extractChip, mirrorChip } from './extract-chip.js';
import type { RgbImage } from '../imaging/rgb-image.js';

function gradient(width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 3;
      data[o] = x % 256;
      data[o + 1] = y % 256;
      data[o + 2] = 100;
    }
  }
  return { width, height, data };
}

test('an identity transform copies the top-left corner of the image', () => {
  const image = gradient(64, 64);
  const chip = extractChip(image, { a: 1, b: 0, tx: 0, ty: 0 }, 16);
  assert.equal(chip.width, 16);
  for (const [x, y] of [
    [0, 0],
    [5, 9],
    [15, 15],
  ] as const) {
    const o = (y * 16 + x) * 3;
    assert.equal(chip.data[o], x);
    assert.equal(chip.data[o + 1], y);
    assert.equal(chip.data[o + 2], 100);
  }
});

test('a translation shifts the sampled window', () => {
  const image = gradient(64, 64);
  const chip = extractChip(image, { a: 1, b: 0, tx: -10, ty: -20 }, 8);
  assert.equal(chip.data[0], 10);
  assert.equal(chip.data[1], 20);
});

test('downscaling averages instead of aliasing a fine checkerboard', () => {
  const size = 64;
  const data = new Uint8Array(size * size * 3);
  for (let i = 0; i < size * size; i++) data.fill(((i % size) + Math.floor(i / size)) % 2 ? 255 : 0, i * 3, i * 3 + 3);
  const chip = extractChip({ width: size, height: size, data }, { a: 0.25, b: 0, tx: 0, ty: 0 }, 16);
  const mean = chip.data.reduce((s, v) => s + v, 0) / chip.data.length;
  const maxDeviation = Math.max(...chip.data.map((v) => Math.abs(v - 127.5)));
  assert.ok(Math.abs(mean - 127.5) < 5, `mean ${mean}`);
  assert.ok(maxDeviation < 40, `an aliased chip has pure black/white pixels; max deviation ${maxDeviation}`);
});

test("'from-2x' takes one bilinear tap below a 2x reduction and area-filters from 2x on", () => {
  // A vertical-stripe image: 1-pixel black/white columns. At a 1.5x reduction one tap per chip
  // pixel keeps pure stripes somewhere ('from-2x'), while 2x2 taps ('any-minification') blur them.
  const size = 48;
  const data = new Uint8Array(size * size * 3);
  for (let i = 0; i < size * size; i++) data.fill(i % 2 ? 255 : 0, i * 3, i * 3 + 3);
  const stripes = { width: size, height: size, data };
  const contrast = (chip: { data: Uint8Array }): number => Math.max(...chip.data) - Math.min(...chip.data);
  const reduce = (factor: number) => ({ a: 1 / factor, b: 0, tx: 0, ty: 0 });
  assert.ok(contrast(extractChip(stripes, reduce(1.5), 16, 'from-2x')) > contrast(extractChip(stripes, reduce(1.5), 16)) + 40);
  // From 2x on both filter alike.
  assert.deepEqual(extractChip(stripes, reduce(2), 16, 'from-2x').data, extractChip(stripes, reduce(2), 16).data);
});

test('mirroring twice is the identity, once swaps columns', () => {
  const chip = extractChip(gradient(32, 32), { a: 1, b: 0, tx: 0, ty: 0 }, 8);
  const mirrored = mirrorChip(chip);
  assert.equal(mirrored.data[0], chip.data[7 * 3]);
  assert.deepEqual(mirrorChip(mirrored).data, chip.data);
});
