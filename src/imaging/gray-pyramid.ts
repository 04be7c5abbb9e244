import type { RgbImage } from './rgb-image.js';

/** A single-channel image of floats (luma, 0–255), row-major. */
export interface GrayImage {
  readonly width: number;
  readonly height: number;
  readonly data: Float32Array;
}

/** Level 0 is the image itself; each next level halves both sides (after a 5-tap binomial blur). */
export type GrayPyramid = readonly GrayImage[];

/** ITU-R BT.601 luma, as the JPEG the frame came from encodes it. */
export function toGray(image: RgbImage): GrayImage {
  const { width, height, data } = image;
  const out = new Float32Array(width * height);
  for (let i = 0, j = 0; i < out.length; i += 1, j += 3) out[i] = 0.299 * data[j]! + 0.587 * data[j + 1]! + 0.114 * data[j + 2]!;
  return { width, height, data: out };
}

/**
 * Halves an image after blurring it with the binomial kernel [1 4 6 4 1]/16 in both directions (the
 * classic Burt–Adelson reduce step): the pyramid a coarse-to-fine tracker needs to follow motions
 * larger than its window.
 */
export function halve(image: GrayImage): GrayImage {
  const { width, height, data } = image;
  const w = Math.max(1, width >> 1);
  const h = Math.max(1, height >> 1);
  const taps = [1 / 16, 4 / 16, 6 / 16, 4 / 16, 1 / 16];
  const clampX = (x: number) => (x < 0 ? 0 : x >= width ? width - 1 : x);
  const clampY = (y: number) => (y < 0 ? 0 : y >= height ? height - 1 : y);
  // Horizontal pass on every second column only, then vertical on every second row.
  const rows = new Float32Array(w * height);
  for (let y = 0; y < height; y += 1) {
    const row = y * width;
    for (let x = 0; x < w; x += 1) {
      let sum = 0;
      for (let k = -2; k <= 2; k += 1) sum += taps[k + 2]! * data[row + clampX(2 * x + k)]!;
      rows[y * w + x] = sum;
    }
  }
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y += 1) {
    for (let x = 0; x < w; x += 1) {
      let sum = 0;
      for (let k = -2; k <= 2; k += 1) sum += taps[k + 2]! * rows[clampY(2 * y + k) * w + x]!;
      out[y * w + x] = sum;
    }
  }
  return { width: w, height: h, data: out };
}

export function grayPyramid(image: GrayImage, levels: number): GrayPyramid {
  const pyramid: GrayImage[] = [image];
  while (pyramid.length < levels && pyramid[pyramid.length - 1]!.width >= 32 && pyramid[pyramid.length - 1]!.height >= 32) {
    pyramid.push(halve(pyramid[pyramid.length - 1]!));
  }
  return pyramid;
}

/** Bilinear sample; coordinates outside the image read its nearest edge. */
export function sampleGray(image: GrayImage, x: number, y: number): number {
  const { width, height, data } = image;
  const cx = x < 0 ? 0 : x > width - 1 ? width - 1 : x;
  const cy = y < 0 ? 0 : y > height - 1 ? height - 1 : y;
  const x0 = Math.floor(cx);
  const y0 = Math.floor(cy);
  const x1 = x0 + 1 < width ? x0 + 1 : x0;
  const y1 = y0 + 1 < height ? y0 + 1 : y0;
  const fx = cx - x0;
  const fy = cy - y0;
  const top = data[y0 * width + x0]! * (1 - fx) + data[y0 * width + x1]! * fx;
  const bottom = data[y1 * width + x0]! * (1 - fx) + data[y1 * width + x1]! * fx;
  return top * (1 - fy) + bottom * fy;
}
