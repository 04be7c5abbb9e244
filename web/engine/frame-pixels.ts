import type { RgbImage } from '../../src/imaging/rgb-image.js';

/** What the kiosk hands the engine: a still (ImageData, canvas, bitmap) or the live video element. */
export type EngineFrame = ImageData | HTMLCanvasElement | HTMLVideoElement | ImageBitmap | OffscreenCanvas;

/**
 * Converted pixels of each ImageData seen, so `analyze`, `template` and `guidance` on one still
 * convert it once and, above all, read the very same pixels (a video element would move on).
 */
const converted = new WeakMap<object, RgbImage>();
let scratch: OffscreenCanvas | HTMLCanvasElement | undefined;

/**
 * The frame as tightly packed 8-bit RGB, the layout the server's decoder produces (sharp, flattened
 * onto white, sRGB): the shared analysis, quality and alignment code then read identical numbers.
 * Frames are opaque camera or JPEG pixels, so dropping alpha loses nothing.
 */
export function framePixels(frame: EngineFrame): RgbImage {
  const known = converted.get(frame);
  if (known) return known;
  const rgba = frame instanceof ImageData ? frame : readPixels(frame);
  const image = rgbFromRgba(rgba);
  if (frame instanceof ImageData) converted.set(frame, image);
  return image;
}

export function frameSize(frame: EngineFrame): { width: number; height: number } {
  if (typeof HTMLVideoElement !== 'undefined' && frame instanceof HTMLVideoElement) {
    return { width: frame.videoWidth, height: frame.videoHeight };
  }
  return { width: frame.width, height: frame.height };
}

/**
 * A still copy of the frame: a video element shows a new picture every few milliseconds, so the
 * kiosk captures once and analyses, guides and templates that one ImageData.
 */
export function captureFrame(frame: EngineFrame): ImageData {
  return frame instanceof ImageData ? frame : readPixels(frame);
}

function readPixels(frame: Exclude<EngineFrame, ImageData>): ImageData {
  const { width, height } = frameSize(frame);
  if (!(width > 0 && height > 0)) throw new Error('the frame has no pixels yet (is the video playing?)');
  scratch ??= typeof OffscreenCanvas !== 'undefined' ? new OffscreenCanvas(width, height) : document.createElement('canvas');
  if (scratch.width !== width) scratch.width = width;
  if (scratch.height !== height) scratch.height = height;
  const context = scratch.getContext('2d', { willReadFrequently: true, colorSpace: 'srgb' }) as
    | OffscreenCanvasRenderingContext2D
    | CanvasRenderingContext2D
    | null;
  if (!context) throw new Error('no 2d canvas context');
  context.drawImage(frame, 0, 0, width, height);
  return context.getImageData(0, 0, width, height, { colorSpace: 'srgb' });
}

/** RGBA pixels (ImageData or its shape) as tightly packed RGB. */
export function rgbFromRgba(rgba: { readonly width: number; readonly height: number; readonly data: Uint8ClampedArray }): RgbImage {
  const { width, height, data } = rgba;
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0, o = 0; i < data.length; i += 4, o += 3) {
    rgb[o] = data[i]!;
    rgb[o + 1] = data[i + 1]!;
    rgb[o + 2] = data[i + 2]!;
  }
  return { width, height, data: rgb };
}
