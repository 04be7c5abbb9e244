/**
 * YUV4MPEG2 clips for Chromium's fake camera (`--use-file-for-fake-video-capture=clip.y4m`).
 * Chromium reads a y4m header (W, H, F; 4:2:0 only) and then `FRAME\n` + the I420 planes per frame,
 * and hands those planes to the page as camera frames, which it renders as BT.601 studio range
 * (Y 16–235, U/V 16–240). So the RGB frames are converted with the BT.601 limited-range matrix and
 * the chroma planes are the 2×2 block means: what a webcam's I420 would carry.
 */
import fs from 'node:fs';
import sharp from 'sharp';
import type { RgbImage } from '../../../src/imaging/rgb-image.js';

/** The frame size every clip uses: a VGA webcam's, what a kiosk's getUserMedia typically gets. */
export const CLIP_WIDTH = 640;
export const CLIP_HEIGHT = 480;

export interface Y4mFormat {
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  /** 'C420jpeg' (chroma centred between the luma samples, as our 2×2 means are) or plain 'C420'. */
  readonly colourspace?: 'C420jpeg' | 'C420';
}

export function y4mHeader(format: Y4mFormat): string {
  const { width, height, fps } = format;
  if (width % 2 !== 0 || height % 2 !== 0) throw new Error(`a 4:2:0 clip needs even sides, got ${width}×${height}`);
  if (!Number.isInteger(fps) || fps < 1) throw new Error(`fps must be a positive integer, got ${fps}`);
  return `YUV4MPEG2 W${width} H${height} F${fps}:1 Ip A1:1 ${format.colourspace ?? 'C420jpeg'}\n`;
}

export interface YuvPlanes {
  readonly y: Uint8Array;
  readonly u: Uint8Array;
  readonly v: Uint8Array;
}

const clamp8 = (x: number): number => (x < 0 ? 0 : x > 255 ? 255 : Math.round(x));

/** BT.601 studio range: white → (235, 128, 128), black → (16, 128, 128). */
export function rgbToYuv(r: number, g: number, b: number): { y: number; u: number; v: number } {
  return {
    y: 16 + 0.256788 * r + 0.504129 * g + 0.097906 * b,
    u: 128 - 0.148223 * r - 0.290993 * g + 0.439216 * b,
    v: 128 + 0.439216 * r - 0.367788 * g - 0.071427 * b,
  };
}

/** The inverse, as a player would show the planes (for checking what the page receives). */
export function yuvToRgb(y: number, u: number, v: number): { r: number; g: number; b: number } {
  const c = 1.164383 * (y - 16);
  return {
    r: clamp8(c + 1.596027 * (v - 128)),
    g: clamp8(c - 0.391762 * (u - 128) - 0.812968 * (v - 128)),
    b: clamp8(c + 2.017232 * (u - 128)),
  };
}

/** The I420 planes of one RGB frame: full-resolution luma, chroma as the means of 2×2 blocks. */
export function rgbToI420(frame: RgbImage): YuvPlanes {
  const { width, height, data } = frame;
  if (width % 2 !== 0 || height % 2 !== 0) throw new Error(`a 4:2:0 frame needs even sides, got ${width}×${height}`);
  if (data.length !== width * height * 3) throw new Error(`an RGB frame of ${width}×${height} has ${width * height * 3} bytes, got ${data.length}`);
  const y = new Uint8Array(width * height);
  const cw = width / 2;
  const u = new Uint8Array(cw * (height / 2));
  const v = new Uint8Array(cw * (height / 2));
  for (let i = 0, k = 0; i < width * height; i += 1, k += 3) {
    y[i] = clamp8(16 + 0.256788 * data[k]! + 0.504129 * data[k + 1]! + 0.097906 * data[k + 2]!);
  }
  for (let row = 0; row < height / 2; row += 1) {
    for (let col = 0; col < cw; col += 1) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (const [dy, dx] of [
        [0, 0],
        [0, 1],
        [1, 0],
        [1, 1],
      ] as const) {
        const k = ((2 * row + dy) * width + 2 * col + dx) * 3;
        r += data[k]!;
        g += data[k + 1]!;
        b += data[k + 2]!;
      }
      const yuv = rgbToYuv(r / 4, g / 4, b / 4);
      u[row * cw + col] = clamp8(yuv.u);
      v[row * cw + col] = clamp8(yuv.v);
    }
  }
  return { y, u, v };
}

/** Writes `frames` (all of the format's size) as one y4m file; returns its path. */
export function writeY4m(file: string, format: Y4mFormat, frames: Iterable<RgbImage>): string {
  const fd = fs.openSync(file, 'w');
  try {
    fs.writeSync(fd, y4mHeader(format));
    let count = 0;
    for (const frame of frames) {
      if (frame.width !== format.width || frame.height !== format.height)
        throw new Error(`frame ${count} is ${frame.width}×${frame.height}, the clip is ${format.width}×${format.height}`);
      const { y, u, v } = rgbToI420(frame);
      fs.writeSync(fd, 'FRAME\n');
      fs.writeSync(fd, y);
      fs.writeSync(fd, u);
      fs.writeSync(fd, v);
      count += 1;
    }
    if (count === 0) throw new Error('a clip needs at least one frame');
  } finally {
    fs.closeSync(fd);
  }
  return file;
}

export interface ParsedY4m {
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  readonly colourspace: string;
  readonly frames: YuvPlanes[];
}

/** Reads a clip back the way Chromium's y4m parser does (header tags, then FRAME + planes). */
export function readY4m(file: string): ParsedY4m {
  const bytes = fs.readFileSync(file);
  const headerEnd = bytes.indexOf(0x0a);
  const header = bytes.subarray(0, headerEnd).toString('latin1').split(' ');
  if (header[0] !== 'YUV4MPEG2') throw new Error('not a YUV4MPEG2 file');
  const tag = (letter: string): string => {
    const found = header.find((t) => t.startsWith(letter));
    if (!found) throw new Error(`y4m header has no ${letter} tag`);
    return found.slice(1);
  };
  const width = Number(tag('W'));
  const height = Number(tag('H'));
  const [num, den] = tag('F').split(':').map(Number);
  const colourspace = tag('C');
  const lumaSize = width * height;
  const chromaSize = lumaSize / 4;
  const frames: YuvPlanes[] = [];
  let at = headerEnd + 1;
  while (at < bytes.length) {
    const marker = bytes.subarray(at, at + 6).toString('latin1');
    if (marker !== 'FRAME\n') throw new Error(`expected FRAME at byte ${at}, got ${JSON.stringify(marker)}`);
    at += 6;
    const y = bytes.subarray(at, at + lumaSize);
    const u = bytes.subarray(at + lumaSize, at + lumaSize + chromaSize);
    const v = bytes.subarray(at + lumaSize + chromaSize, at + lumaSize + 2 * chromaSize);
    if (v.length !== chromaSize) throw new Error(`frame ${frames.length} is truncated`);
    frames.push({ y: new Uint8Array(y), u: new Uint8Array(u), v: new Uint8Array(v) });
    at += lumaSize + 2 * chromaSize;
  }
  return { width, height, fps: num! / den!, colourspace, frames };
}

/**
 * An image file or buffer as a clip frame: resized to fit `width`×`height` whole (letterboxed on black,
 * never cropped: a face near the photo's edge stays in the frame), orientation applied.
 */
export async function frameFromImage(source: string | Uint8Array, width = CLIP_WIDTH, height = CLIP_HEIGHT): Promise<RgbImage> {
  const input = typeof source === 'string' ? source : Buffer.from(source);
  const { data, info } = await sharp(input)
    .rotate()
    .removeAlpha()
    .resize(width, height, { fit: 'contain', background: { r: 0, g: 0, b: 0 }, kernel: 'lanczos3' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`expected RGB, sharp gave ${info.channels} channels`);
  return { width: info.width, height: info.height, data: new Uint8Array(data) };
}

/** A frame of one colour (for checking colours end to end). */
export function solidFrame(rgb: readonly [number, number, number], width = CLIP_WIDTH, height = CLIP_HEIGHT): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i += 3) data.set(rgb, i);
  return { width, height, data };
}
