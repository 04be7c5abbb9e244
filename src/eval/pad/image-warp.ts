import type { RgbImage } from '../../imaging/rgb-image.js';

/**
 * Inverse-mapped resampling: output pixel (x, y) takes the bilinear sample of the source at
 * `sourceOf(x, y)` (outside the source: mid grey, as the surround of a held-up print). Every flat
 * picture attack is one of these maps; the output keeps the source's size.
 */
export function warpImage(source: RgbImage, sourceOf: (x: number, y: number) => readonly [number, number]): RgbImage {
  const { width, height, data } = source;
  const out = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const [sx, sy] = sourceOf(x + 0.5, y + 0.5);
      const o = (y * width + x) * 3;
      sampleBilinear(source, sx - 0.5, sy - 0.5, out, o);
    }
  }
  return { width, height, data: out };
}

export function sampleBilinear(source: RgbImage, fx: number, fy: number, out: Uint8Array, offset: number): void {
  const { width, height, data } = source;
  if (!(fx >= -0.5 && fy >= -0.5 && fx <= width - 0.5 && fy <= height - 0.5)) {
    out[offset] = out[offset + 1] = out[offset + 2] = 128;
    return;
  }
  const x0 = Math.max(0, Math.min(width - 1, Math.floor(fx)));
  const y0 = Math.max(0, Math.min(height - 1, Math.floor(fy)));
  const x1 = Math.min(width - 1, x0 + 1);
  const y1 = Math.min(height - 1, y0 + 1);
  const ax = Math.max(0, Math.min(1, fx - x0));
  const ay = Math.max(0, Math.min(1, fy - y0));
  for (let c = 0; c < 3; c += 1) {
    const top = data[(y0 * width + x0) * 3 + c]! * (1 - ax) + data[(y0 * width + x1) * 3 + c]! * ax;
    const bottom = data[(y1 * width + x0) * 3 + c]! * (1 - ax) + data[(y1 * width + x1) * 3 + c]! * ax;
    out[offset + c] = Math.round(top * (1 - ay) + bottom * ay);
  }
}
