import type { Box } from '../analysis/face-analysis.js';
import { InvalidArgument } from '../errors/domain-errors.js';
import type { RgbImage } from '../imaging/rgb-image.js';

/** Width the face region is resampled to before measuring sharpness, so scores compare across resolutions. */
export const SHARPNESS_SAMPLE_WIDTH = 112;
/** Luma at or below this counts as clipped to black. */
export const CLIPPED_DARK_LUMA = 5;
/** Luma at or above this counts as clipped to white. */
export const CLIPPED_BRIGHT_LUMA = 250;

export interface Exposure {
  /** Mean BT.601 luma of the region, 0–255. */
  readonly meanLuma: number;
  /** Fraction of region pixels with luma ≤ CLIPPED_DARK_LUMA. */
  readonly clippedDark: number;
  /** Fraction of region pixels with luma ≥ CLIPPED_BRIGHT_LUMA. */
  readonly clippedBright: number;
}

interface PixelRect {
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
}

/**
 * Focus measure: variance of the 4-neighbour Laplacian of the luma of `region`, after the region is
 * resampled to `sampleWidth` px wide (aspect kept; area-averaged when shrinking, bilinear when
 * enlarging). Higher is sharper; 0 for a flat region. Because of the fixed sample width, a small
 * face that had to be enlarged scores low: it carries little detail, which is what we want to know.
 */
export function sharpness(image: RgbImage, region: Box, sampleWidth: number = SHARPNESS_SAMPLE_WIDTH): number {
  const rect = clampRegion(image, region);
  const srcW = rect.x1 - rect.x0;
  const srcH = rect.y1 - rect.y0;
  const outW = Math.max(3, Math.round(sampleWidth));
  const outH = Math.max(3, Math.round((outW * srcH) / srcW));

  const luma = regionLuma(image, rect);
  const resampled = resample2d(luma, srcW, srcH, outW, outH);

  let sum = 0;
  let sumSq = 0;
  let n = 0;
  for (let y = 1; y < outH - 1; y++) {
    const row = y * outW;
    for (let x = 1; x < outW - 1; x++) {
      const i = row + x;
      const lap = resampled[i - outW]! + resampled[i + outW]! + resampled[i - 1]! + resampled[i + 1]! - 4 * resampled[i]!;
      sum += lap;
      sumSq += lap * lap;
      n++;
    }
  }
  const mean = sum / n;
  return Math.max(0, sumSq / n - mean * mean);
}

/** Brightness of `region` at full resolution: mean luma and the fractions clipped to black / white. */
export function exposure(image: RgbImage, region: Box): Exposure {
  const rect = clampRegion(image, region);
  const { width, data } = image;
  let sum = 0;
  let dark = 0;
  let bright = 0;
  for (let y = rect.y0; y < rect.y1; y++) {
    let i = (y * width + rect.x0) * 3;
    for (let x = rect.x0; x < rect.x1; x++, i += 3) {
      const l = lumaAt(data, i);
      sum += l;
      if (l <= CLIPPED_DARK_LUMA) dark++;
      else if (l >= CLIPPED_BRIGHT_LUMA) bright++;
    }
  }
  const n = (rect.x1 - rect.x0) * (rect.y1 - rect.y0);
  return { meanLuma: sum / n, clippedDark: dark / n, clippedBright: bright / n };
}

function lumaAt(data: Uint8Array, i: number): number {
  return 0.299 * data[i]! + 0.587 * data[i + 1]! + 0.114 * data[i + 2]!;
}

/** Integer pixel bounds of `region` inside the image (outward rounding); throws when they do not overlap. */
function clampRegion(image: RgbImage, region: Box): PixelRect {
  const values = [region.x, region.y, region.width, region.height];
  if (!values.every(Number.isFinite) || region.width <= 0 || region.height <= 0) {
    throw new InvalidArgument('region must have finite coordinates and a positive size', { region });
  }
  const x0 = Math.max(0, Math.floor(region.x));
  const y0 = Math.max(0, Math.floor(region.y));
  const x1 = Math.min(image.width, Math.ceil(region.x + region.width));
  const y1 = Math.min(image.height, Math.ceil(region.y + region.height));
  if (x1 <= x0 || y1 <= y0) throw new InvalidArgument('region does not overlap the image', { region });
  return { x0, y0, x1, y1 };
}

function regionLuma(image: RgbImage, rect: PixelRect): Float32Array {
  const w = rect.x1 - rect.x0;
  const out = new Float32Array(w * (rect.y1 - rect.y0));
  let o = 0;
  for (let y = rect.y0; y < rect.y1; y++) {
    let i = (y * image.width + rect.x0) * 3;
    for (let x = 0; x < w; x++, i += 3) out[o++] = lumaAt(image.data, i);
  }
  return out;
}

/** Sparse 1-D resampling weights: output i = Σ_k weights[i][k] · src[starts[i] + k]. */
interface Kernel1d {
  readonly starts: Int32Array;
  readonly weights: Float32Array[];
}

/** Area (box) filter when shrinking — every source pixel contributes by its overlap — bilinear when enlarging. */
function kernel1d(srcLen: number, outLen: number): Kernel1d {
  const starts = new Int32Array(outLen);
  const weights: Float32Array[] = [];
  const scale = srcLen / outLen;
  for (let i = 0; i < outLen; i++) {
    if (scale >= 1) {
      const a = i * scale;
      const b = (i + 1) * scale;
      const first = Math.floor(a);
      const last = Math.min(srcLen - 1, Math.ceil(b) - 1);
      const w = new Float32Array(last - first + 1);
      for (let k = first; k <= last; k++) w[k - first] = (Math.min(b, k + 1) - Math.max(a, k)) / scale;
      starts[i] = first;
      weights.push(w);
    } else {
      const centre = Math.min(Math.max((i + 0.5) * scale - 0.5, 0), srcLen - 1);
      const first = Math.min(Math.floor(centre), Math.max(0, srcLen - 2));
      const frac = centre - first;
      starts[i] = first;
      weights.push(srcLen === 1 ? Float32Array.of(1) : Float32Array.of(1 - frac, frac));
    }
  }
  return { starts, weights };
}

function resample2d(src: Float32Array, srcW: number, srcH: number, outW: number, outH: number): Float32Array {
  const kx = kernel1d(srcW, outW);
  const ky = kernel1d(srcH, outH);
  const horizontal = new Float32Array(outW * srcH);
  for (let y = 0; y < srcH; y++) {
    const row = y * srcW;
    for (let x = 0; x < outW; x++) {
      const w = kx.weights[x]!;
      const s = row + kx.starts[x]!;
      let acc = 0;
      for (let k = 0; k < w.length; k++) acc += w[k]! * src[s + k]!;
      horizontal[y * outW + x] = acc;
    }
  }
  const out = new Float32Array(outW * outH);
  for (let y = 0; y < outH; y++) {
    const w = ky.weights[y]!;
    const s = ky.starts[y]!;
    for (let x = 0; x < outW; x++) {
      let acc = 0;
      for (let k = 0; k < w.length; k++) acc += w[k]! * horizontal[(s + k) * outW + x]!;
      out[y * outW + x] = acc;
    }
  }
  return out;
}
