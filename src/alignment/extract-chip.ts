import type { RgbImage } from '../imaging/rgb-image.js';
import { invertTransform, transformScale, type SimilarityTransform } from './similarity-transform.js';

/**
 * When a chip pixel averages several bilinear samples (area filtering) instead of taking one:
 * - `'any-minification'`: as soon as the chip is smaller than the face (k = ⌈source px per chip px⌉),
 *   so a 1.1× reduction already averages 2×2 samples: what dlib's pyramid-based extraction does;
 * - `'from-2x'`: only from a 2× reduction on (k = ⌊source px per chip px⌋). Below 2× a bilinear tap
 *   still reads every source pixel's neighbourhood, and a single tap is what `cv2.warpAffine` gives
 *   the ArcFace-style nets in training, so faces near the chip's size come out as sharp as the
 *   net learned them; large faces in phone photos are still area-filtered.
 */
export type ChipFilter = 'any-minification' | 'from-2x';

/**
 * Warps `image` into a `size`×`size` chip through `imageToChip`. Each chip pixel averages a k×k
 * grid of bilinear samples, k growing with the downscale factor as `filter` says, so a large face
 * in a phone photo is area-filtered instead of aliased.
 */
export function extractChip(
  image: RgbImage,
  imageToChip: SimilarityTransform,
  size: number,
  filter: ChipFilter = 'any-minification',
): RgbImage {
  const chipToImage = invertTransform(imageToChip);
  const sourcePixelsPerChipPixel = 1 / transformScale(imageToChip);
  const taps = filter === 'from-2x' ? Math.floor(sourcePixelsPerChipPixel) : Math.ceil(sourcePixelsPerChipPixel);
  const k = Math.max(1, Math.min(8, taps));
  const out = new Uint8Array(size * size * 3);
  const { a, b, tx, ty } = chipToImage;
  const inv = 1 / (k * k);
  for (let v = 0; v < size; v++) {
    for (let u = 0; u < size; u++) {
      let r = 0,
        g = 0,
        bl = 0;
      for (let sy = 0; sy < k; sy++) {
        const cy = v + (sy + 0.5) / k - 0.5;
        for (let sx = 0; sx < k; sx++) {
          const cx = u + (sx + 0.5) / k - 0.5;
          const x = a * cx - b * cy + tx;
          const y = b * cx + a * cy + ty;
          const sample = bilinear(image, x, y);
          r += sample[0];
          g += sample[1];
          bl += sample[2];
        }
      }
      const o = (v * size + u) * 3;
      out[o] = Math.round(r * inv);
      out[o + 1] = Math.round(g * inv);
      out[o + 2] = Math.round(bl * inv);
    }
  }
  return { width: size, height: size, data: out };
}

const scratch: [number, number, number] = [0, 0, 0];

/** Bilinear sample with edge clamping; outside the image reads the nearest border pixel. */
function bilinear(image: RgbImage, x: number, y: number): [number, number, number] {
  const { width, height, data } = image;
  const xc = Math.min(Math.max(x, 0), width - 1);
  const yc = Math.min(Math.max(y, 0), height - 1);
  const x0 = Math.floor(xc),
    y0 = Math.floor(yc);
  const x1 = Math.min(x0 + 1, width - 1),
    y1 = Math.min(y0 + 1, height - 1);
  const fx = xc - x0,
    fy = yc - y0;
  const i00 = (y0 * width + x0) * 3,
    i01 = (y0 * width + x1) * 3;
  const i10 = (y1 * width + x0) * 3,
    i11 = (y1 * width + x1) * 3;
  for (let c = 0; c < 3; c++) {
    const top = data[i00 + c]! + (data[i01 + c]! - data[i00 + c]!) * fx;
    const bottom = data[i10 + c]! + (data[i11 + c]! - data[i10 + c]!) * fx;
    scratch[c] = top + (bottom - top) * fy;
  }
  return scratch;
}

/** Mirror image of a chip (left↔right), for test-time augmentation. */
export function mirrorChip(chip: RgbImage): RgbImage {
  const { width, height, data } = chip;
  const out = new Uint8Array(data.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const from = (y * width + x) * 3;
      const to = (y * width + (width - 1 - x)) * 3;
      out[to] = data[from]!;
      out[to + 1] = data[from + 1]!;
      out[to + 2] = data[from + 2]!;
    }
  }
  return { width, height, data: out };
}
