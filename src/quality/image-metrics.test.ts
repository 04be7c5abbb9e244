import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp, { type Sharp } from 'sharp';
import type { Box } from '../analysis/face-analysis.js';
import { InvalidArgument } from '../errors/domain-errors.js';
import { decodeImage } from '../imaging/decode-image.js';
import type { RgbImage } from '../imaging/rgb-image.js';
import { DEFAULT_QUALITY_POLICY } from './assess-quality.js';
import { CLIPPED_BRIGHT_LUMA, CLIPPED_DARK_LUMA, exposure, sharpness } from './image-metrics.js';

const LFW = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/datasets/lfw-dev/images');
const lfwMissing = fs.existsSync(LFW) ? false : `LFW dev images not found at ${LFW}`;
/** Three LFW images with their face-mesh regions (`faceRegion`), as measured by the shared analyzer. */
const LFW_SAMPLES: ReadonlyArray<readonly [string, Box]> = [
  ['Aaron_Sorkin/Aaron_Sorkin_0001.jpg', { x: 58, y: 72, width: 108, height: 130 }],
  ['Abdullah_Gul/Abdullah_Gul_0001.jpg', { x: 93, y: 81, width: 89, height: 104 }],
  ['Abel_Pacheco/Abel_Pacheco_0001.jpg', { x: 90, y: 78, width: 96, height: 108 }],
];

async function lfw(name: string): Promise<RgbImage> {
  return (await decodeImage(new Uint8Array(fs.readFileSync(path.join(LFW, name))))).image;
}

async function withSharp(image: RgbImage, op: (s: Sharp) => Sharp): Promise<RgbImage> {
  const { data, info } = await op(sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } }))
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data) };
}

function filled(width: number, height: number, luma: (x: number, y: number) => number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.fill(luma(x, y), (y * width + x) * 3, (y * width + x) * 3 + 3);
  return { width, height, data };
}

test(
  'sharpness: real LFW faces pass the default threshold, a strong Gaussian blur (σ 2.5 px) drops below it',
  { skip: lfwMissing },
  async () => {
    for (const [name, face] of LFW_SAMPLES) {
      const image = await lfw(name);
      const sharpScore = sharpness(image, face);
      const mild = sharpness(await withSharp(image, (s) => s.blur(1)), face);
      const strong = sharpness(await withSharp(image, (s) => s.blur(2.5)), face);
      assert.ok(sharpScore >= 2 * DEFAULT_QUALITY_POLICY.minSharpness, `${name}: sharp ${sharpScore}`);
      assert.ok(strong < DEFAULT_QUALITY_POLICY.minSharpness, `${name}: blurred ${strong}`);
      assert.ok(strong < sharpScore / 5, `${name}: ${strong} vs ${sharpScore}`);
      assert.ok(mild < sharpScore && strong < mild, `${name}: more blur, lower score (${sharpScore} > ${mild} > ${strong})`);
    }
  },
);

test('sharpness is comparable across resolutions: the same face at 2× and 4× scores alike', { skip: lfwMissing }, async () => {
  const [name, face] = LFW_SAMPLES[0]!;
  const image = await lfw(name);
  const base = sharpness(image, face);
  for (const factor of [2, 4]) {
    const big = await withSharp(image, (s) => s.resize({ width: 250 * factor, height: 250 * factor, kernel: 'lanczos3' }));
    const box = { x: face.x * factor, y: face.y * factor, width: face.width * factor, height: face.height * factor };
    const scaled = sharpness(big, box);
    assert.ok(scaled > base * 0.8 && scaled < base * 1.25, `×${factor}: ${scaled} vs ${base}`);
  }
});

test('sharpness: flat region is 0, fine texture is high, fractional and out-of-image boxes are clamped', () => {
  const flat = filled(200, 200, () => 128);
  assert.equal(sharpness(flat, { x: 10, y: 10, width: 112, height: 112 }), 0);
  // A 112-px box on a 1-px checkerboard keeps the full ±255 alternation: Laplacian ±1020, variance ≈ 1020².
  const checker = filled(200, 200, (x, y) => ((x + y) % 2 === 0 ? 0 : 255));
  const s = sharpness(checker, { x: 0, y: 0, width: 112, height: 112 });
  assert.ok(Math.abs(s - 1020 * 1020) < 1, `checker ${s}`);
  const partlyOutside = sharpness(checker, { x: -50.5, y: 150.2, width: 120, height: 120 });
  assert.ok(partlyOutside > 0 && Number.isFinite(partlyOutside));
  assert.throws(() => sharpness(checker, { x: 300, y: 300, width: 20, height: 20 }), InvalidArgument);
  assert.throws(() => sharpness(checker, { x: 0, y: 0, width: 0, height: 20 }), InvalidArgument);
});

test('exposure: mean luma and clipped fractions', () => {
  const grey = filled(100, 100, () => 100);
  assert.deepEqual(exposure(grey, { x: 0, y: 0, width: 100, height: 100 }), { meanLuma: 100, clippedDark: 0, clippedBright: 0 });

  const halves = filled(100, 100, (x) => (x < 50 ? 0 : 255));
  const e = exposure(halves, { x: 0, y: 0, width: 100, height: 100 });
  assert.ok(Math.abs(e.meanLuma - 127.5) < 1e-6);
  assert.equal(e.clippedDark, 0.5);
  assert.equal(e.clippedBright, 0.5);
  // Only the region counts.
  assert.deepEqual(exposure(halves, { x: 60, y: 10, width: 20, height: 20 }), { meanLuma: 255, clippedDark: 0, clippedBright: 1 });
  // Thresholds are inclusive.
  const edge = filled(10, 10, (x) => (x < 5 ? CLIPPED_DARK_LUMA : CLIPPED_BRIGHT_LUMA));
  const ee = exposure(edge, { x: 0, y: 0, width: 10, height: 10 });
  assert.deepEqual([ee.clippedDark, ee.clippedBright], [0.5, 0.5]);
});

test('exposure uses BT.601 luma weights', () => {
  const data = new Uint8Array(4 * 4 * 3);
  for (let i = 0; i < data.length; i += 3) data.set([255, 0, 0], i);
  const red = exposure({ width: 4, height: 4, data }, { x: 0, y: 0, width: 4, height: 4 });
  assert.ok(Math.abs(red.meanLuma - 0.299 * 255) < 1e-3, `${red.meanLuma}`);
});
