import sharp, { type Metadata, type OutputInfo } from 'sharp';
import { ImageTooLarge, InvalidArgument, InvalidImage } from '../errors/domain-errors.js';
import type { RgbImage } from './rgb-image.js';
import { isStandardSrgbProfile } from './srgb-profile.js';

/** The only container formats we decode. Detected from the bytes, never from a file name. */
export type ImageFormat = 'jpeg' | 'png' | 'webp';
export const ACCEPTED_FORMATS: readonly ImageFormat[] = ['jpeg', 'png', 'webp'];
const ACCEPTED_LIST = 'JPEG, PNG or WebP';

/**
 * How strict the decoder is about damaged pixel data (sharp's `failOn`):
 * - 'truncated' refuses images whose data ends early;
 * - 'error' additionally refuses decoder errors, but libjpeg treats corrupt entropy-coded data
 *   as a *warning*: a JPEG with random bytes in its middle still decodes, grey-filled below the damage;
 * - 'warning' (default) refuses that too. Every one of the 3,385 dataset images (LFW dev set and
 *   the deepface fixtures) decodes cleanly at this level.
 */
export type DecodeStrictness = 'truncated' | 'error' | 'warning';

export interface DecodeLimits {
  /** Largest accepted encoded size in bytes. */
  readonly maxBytes: number;
  /** Largest accepted width × height, read from the header before any pixel is decoded. */
  readonly maxPixels: number;
  /** Largest accepted width or height. */
  readonly maxDimension: number;
  /** Smallest accepted width or height. */
  readonly minDimension: number;
  /**
   * Longest side of the returned image: larger images are downscaled (aspect ratio kept); smaller
   * ones are never enlarged. 0 disables downscaling. Face detection works on a ~256 px input and
   * alignment on a 150 px chip, so 1920 px loses nothing useful while bounding memory and time
   * (a 4352×2903 phone photo is 38 MB of RGB; at 1920×1281 it is 7.4 MB).
   */
  readonly downscaleTo: number;
  readonly failOn: DecodeStrictness;
}

export const DEFAULT_DECODE_LIMITS: DecodeLimits = Object.freeze({
  maxBytes: 15 * 1024 * 1024,
  maxPixels: 40_000_000,
  maxDimension: 12_000,
  minDimension: 32,
  downscaleTo: 1920,
  failOn: 'warning',
});

export interface DecodedImage {
  /** Orientation-corrected, alpha-flattened, sRGB, 8-bit, possibly downscaled. */
  readonly image: RgbImage;
  readonly format: ImageFormat;
  /** Size after EXIF orientation, before downscaling. */
  readonly originalWidth: number;
  readonly originalHeight: number;
  /** `image.width / originalWidth` (1 when not downscaled): multiply original-image coordinates by it. */
  readonly scale: number;
}

/** Signatures of formats we refuse, only to make the error message more helpful. */
const REFUSED_SIGNATURES: ReadonlyArray<{ name: string; test: (b: Uint8Array) => boolean }> = [
  { name: 'GIF', test: (b) => startsWithAscii(b, 'GIF87a') || startsWithAscii(b, 'GIF89a') },
  { name: 'PDF', test: (b) => startsWithAscii(b, '%PDF-') },
  { name: 'BMP', test: (b) => startsWithAscii(b, 'BM') && b.length >= 14 },
  { name: 'TIFF', test: (b) => startsWithAscii(b, 'II*\u0000') || startsWithAscii(b, 'MM\u0000*') },
  { name: 'HEIF/AVIF', test: (b) => asciiAt(b, 4, 'ftyp') },
  { name: 'JPEG XL', test: (b) => (b[0] === 0xff && b[1] === 0x0a) || asciiAt(b, 4, 'JXL ') },
  { name: 'SVG/XML', test: (b) => /^\s*<(\?xml|svg)/i.test(asciiPrefix(b, 64)) },
];

/** The accepted format these bytes start with, or undefined. Looks at magic bytes only. */
export function detectImageFormat(bytes: Uint8Array): ImageFormat | undefined {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (bytes.length >= 8 && [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a].every((v, i) => bytes[i] === v)) return 'png';
  if (bytes.length >= 12 && asciiAt(bytes, 0, 'RIFF') && asciiAt(bytes, 8, 'WEBP')) return 'webp';
  return undefined;
}

/**
 * Decodes untrusted image bytes into packed 8-bit RGB.
 *
 * Order of checks: size in bytes → magic bytes (JPEG/PNG/WebP only) → header dimensions against
 * `maxPixels`/`maxDimension`/`minDimension` (no pixel decoded yet, so decompression bombs cost
 * nothing) → decode with sharp's own `limitInputPixels` as a second guard, EXIF auto-orientation,
 * alpha flattened onto white, any colour space (greyscale, CMYK, 16-bit) and any embedded ICC
 * profile converted to 8-bit sRGB (except a standard sRGB profile: `srgb-profile.ts`), optional
 * downscale.
 *
 * Alpha is flattened onto white rather than dropped: `removeAlpha` would expose whatever RGB sits
 * under transparent pixels (often black, sometimes a different picture), so the face we match could
 * differ from the one a person sees; flattening reproduces what a viewer on a white page shows.
 *
 * Errors: `InvalidImage` (empty, unsupported format, corrupt/truncated, too small) or
 * `ImageTooLarge` (bytes, pixels or a dimension over the limit). Raw sharp/libvips errors never escape.
 */
export async function decodeImage(bytes: Uint8Array, limits: Partial<DecodeLimits> = {}): Promise<DecodedImage> {
  const lim = resolveLimits(limits);
  if (bytes.byteLength === 0) throw new InvalidImage('empty image');
  if (bytes.byteLength > lim.maxBytes) {
    throw new ImageTooLarge(`image is ${formatBytes(bytes.byteLength)}; the limit is ${formatBytes(lim.maxBytes)}`, {
      bytes: bytes.byteLength,
      maxBytes: lim.maxBytes,
    });
  }
  const format = detectImageFormat(bytes);
  if (!format) {
    const refused = REFUSED_SIGNATURES.find((s) => s.test(bytes));
    throw new InvalidImage(`unsupported image format${refused ? ` (${refused.name})` : ''}: expected ${ACCEPTED_LIST}`, {
      accepted: [...ACCEPTED_FORMATS],
      ...(refused ? { detected: refused.name } : {}),
    });
  }

  // 1. Header only. `limitInputPixels: false` so that we, not sharp, report the oversize with its dimensions.
  let header: Metadata;
  try {
    header = await sharp(bytes, { limitInputPixels: false, failOn: lim.failOn }).metadata();
  } catch (error) {
    throw decoderFailure(error, format, 'corrupt or truncated', ' (unreadable header)');
  }
  if (header.format !== format) {
    throw new InvalidImage(`corrupt ${format.toUpperCase()} image: content does not match its signature`, { format });
  }
  const { width, height } = header;
  if (!(width > 0 && height > 0)) {
    throw new InvalidImage(`corrupt ${format.toUpperCase()} image: missing dimensions`, { format });
  }
  if (width > lim.maxDimension || height > lim.maxDimension) {
    throw new ImageTooLarge(`image is ${width}×${height} px; the largest side allowed is ${lim.maxDimension} px`, {
      width,
      height,
      maxDimension: lim.maxDimension,
    });
  }
  if (width * height > lim.maxPixels) {
    throw new ImageTooLarge(
      `image is ${width}×${height} px (${((width * height) / 1e6).toFixed(1)} MP); the limit is ${(lim.maxPixels / 1e6).toFixed(1)} MP`,
      { width, height, maxPixels: lim.maxPixels },
    );
  }
  if (width < lim.minDimension || height < lim.minDimension) {
    throw new InvalidImage(`image is too small: ${width}×${height} px; each side must be at least ${lim.minDimension} px`, {
      width,
      height,
      minDimension: lim.minDimension,
    });
  }
  // EXIF orientations 5–8 swap the axes.
  const swapped = (header.orientation ?? 1) >= 5;
  const originalWidth = header.autoOrient?.width ?? (swapped ? height : width);
  const originalHeight = header.autoOrient?.height ?? (swapped ? width : height);

  // 2. Pixels.
  let raw: { data: Buffer; info: OutputInfo };
  try {
    // An embedded sRGB profile needs no conversion to sRGB; libvips's would cost most of the decode (srgb-profile.ts).
    const ignoreIcc = isStandardSrgbProfile(header.icc);
    let pipeline = sharp(bytes, { limitInputPixels: Math.floor(lim.maxPixels), failOn: lim.failOn, autoOrient: true, ignoreIcc })
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb');
    if (lim.downscaleTo > 0 && Math.max(originalWidth, originalHeight) > lim.downscaleTo) {
      const side = Math.max(1, Math.floor(lim.downscaleTo));
      pipeline = pipeline.resize({ width: side, height: side, fit: 'inside', withoutEnlargement: true });
    }
    raw = await pipeline.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  } catch (error) {
    throw decoderFailure(error, format, 'corrupt or truncated');
  }
  const { data, info } = raw;
  if (info.channels !== 3 || data.byteLength !== info.width * info.height * 3) {
    // Defensive: flatten + sRGB always yields 3 uchar bands for the formats we accept.
    throw new InvalidImage(`unsupported ${format.toUpperCase()} pixel layout`, { format, channels: info.channels });
  }
  return {
    image: { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) },
    format,
    originalWidth,
    originalHeight,
    scale: info.width / originalWidth,
  };
}

function resolveLimits(partial: Partial<DecodeLimits>): DecodeLimits {
  const lim: DecodeLimits = { ...DEFAULT_DECODE_LIMITS, ...stripUndefined(partial) };
  for (const key of ['maxBytes', 'maxPixels', 'maxDimension', 'minDimension'] as const) {
    if (!Number.isFinite(lim[key]) || lim[key] < 1)
      throw new InvalidArgument(`decode limit ${key} must be a positive number`, { [key]: lim[key] });
  }
  if (!Number.isFinite(lim.downscaleTo) || lim.downscaleTo < 0) {
    throw new InvalidArgument('decode limit downscaleTo must be 0 (off) or a positive number of pixels', { downscaleTo: lim.downscaleTo });
  }
  if (!['truncated', 'error', 'warning'].includes(lim.failOn)) {
    throw new InvalidArgument("decode limit failOn must be 'truncated', 'error' or 'warning'", { failOn: lim.failOn });
  }
  return lim;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Maps a sharp/libvips failure to a domain error; the library's text goes to `details` only. */
function decoderFailure(error: unknown, format: ImageFormat, what: string, suffix = ''): InvalidImage | ImageTooLarge {
  const decoderMessage = error instanceof Error ? error.message : String(error);
  if (/pixel limit/i.test(decoderMessage)) {
    return new ImageTooLarge('image exceeds the pixel limit', { format, decoderMessage });
  }
  return new InvalidImage(`${what} ${format.toUpperCase()} image${suffix}`, { format, decoderMessage });
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} bytes`;
}

function asciiAt(bytes: Uint8Array, offset: number, text: string): boolean {
  if (bytes.length < offset + text.length) return false;
  for (let i = 0; i < text.length; i++) if (bytes[offset + i] !== text.charCodeAt(i)) return false;
  return true;
}

function startsWithAscii(bytes: Uint8Array, text: string): boolean {
  return asciiAt(bytes, 0, text);
}

function asciiPrefix(bytes: Uint8Array, length: number): string {
  return String.fromCharCode(...bytes.subarray(0, length));
}
