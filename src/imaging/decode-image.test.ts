import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import sharp, { type Sharp } from 'sharp';
import { FacekeyError, ImageTooLarge, InvalidArgument, InvalidImage } from '../errors/domain-errors.js';
import { DEFAULT_DECODE_LIMITS, decodeImage, detectImageFormat } from './decode-image.js';
import { readImageBytes, readImageFile } from './read-image-file.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/datasets/deepface-fixtures');
const fixturesMissing = fs.existsSync(FIXTURES) ? false : `shared fixtures not found at ${FIXTURES}`;
const fixture = (name: string): Uint8Array => new Uint8Array(fs.readFileSync(path.join(FIXTURES, name)));

/** Asserts `promise` rejects with `type` (a domain error, never a raw sharp error) whose message matches. */
async function rejectsWith(
  promise: Promise<unknown>,
  type: new (...args: never[]) => FacekeyError,
  message: RegExp,
): Promise<FacekeyError> {
  let caught: unknown;
  await assert.rejects(promise, (error: unknown) => {
    caught = error;
    return true;
  });
  assert.ok(caught instanceof type, `expected ${type.name}, got ${(caught as Error)?.constructor?.name}: ${(caught as Error)?.message}`);
  assert.match(caught.message, message);
  return caught;
}

async function solid(width: number, height: number, colour: string): Promise<Sharp> {
  return sharp({ create: { width, height, channels: 3, background: colour } });
}

/** A valid PNG whose IHDR claims width×height (CRC fixed), with the pixel data of an 8×8 image. */
async function pngClaiming(width: number, height: number): Promise<Buffer> {
  const png = Buffer.from(await (await solid(8, 8, '#808080')).png().toBuffer());
  assert.equal(png.toString('latin1', 12, 16), 'IHDR');
  png.writeUInt32BE(width, 16);
  png.writeUInt32BE(height, 20);
  png.writeUInt32BE(zlib.crc32(png.subarray(12, 29)), 29);
  return png;
}

/** A genuine, fully decodable 1-bit greyscale PNG (all black): deflate squeezes it to almost nothing. */
function bilevelPng(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer): Buffer => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(zlib.crc32(body), body.length + 4);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([1, 0, 0, 0, 0], 8); // bit depth 1, greyscale, deflate, no filter, no interlace
  const rows = Buffer.alloc((1 + Math.ceil(width / 8)) * height); // filter byte 0 + zero bits per row
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function pixel(image: { width: number; data: Uint8Array }, x: number, y: number): number[] {
  const i = (y * image.width + x) * 3;
  return [...image.data.subarray(i, i + 3)];
}

test('defaults match the documented limits', () => {
  assert.equal(DEFAULT_DECODE_LIMITS.maxBytes, 15 * 1024 * 1024);
  assert.equal(DEFAULT_DECODE_LIMITS.maxPixels, 40_000_000);
  assert.equal(DEFAULT_DECODE_LIMITS.downscaleTo, 1920);
  assert.equal(DEFAULT_DECODE_LIMITS.failOn, 'warning');
});

test('JPEG fixture decodes to packed 8-bit RGB at full size', { skip: fixturesMissing }, async () => {
  const decoded = await decodeImage(fixture('img1.jpg'));
  assert.equal(decoded.format, 'jpeg');
  assert.deepEqual([decoded.image.width, decoded.image.height], [1382, 1868]);
  assert.equal(decoded.image.data.length, 1382 * 1868 * 3);
  assert.deepEqual([decoded.originalWidth, decoded.originalHeight, decoded.scale], [1382, 1868, 1]);
  assert.ok(decoded.image.data instanceof Uint8Array);
});

test('format comes from the content: img47.jpg is really WebP and decodes', { skip: fixturesMissing }, async () => {
  const bytes = fixture('img47.jpg');
  assert.equal(detectImageFormat(bytes), 'webp');
  const decoded = await decodeImage(bytes);
  assert.equal(decoded.format, 'webp');
  assert.deepEqual([decoded.image.width, decoded.image.height], [1350, 1800]);
  assert.equal(decoded.image.data.length, 1350 * 1800 * 3);
});

test('large phone photo (img49, 4352×2903) is downscaled to 1920 px on the long side by default', { skip: fixturesMissing }, async () => {
  const bytes = fixture('img49.jpg');
  const decoded = await decodeImage(bytes);
  assert.deepEqual([decoded.originalWidth, decoded.originalHeight], [4352, 2903]);
  assert.equal(decoded.image.width, 1920);
  assert.ok(Math.abs(decoded.image.height - (2903 * 1920) / 4352) <= 1, `aspect kept: ${decoded.image.height}`);
  assert.ok(Math.abs(decoded.scale - 1920 / 4352) < 1e-9);
  assert.equal(decoded.image.data.length, decoded.image.width * decoded.image.height * 3);

  const full = await decodeImage(bytes, { downscaleTo: 0 });
  assert.deepEqual([full.image.width, full.image.height, full.scale], [4352, 2903, 1]);
  const custom = await decodeImage(bytes, { downscaleTo: 640 });
  assert.equal(custom.image.width, 640);
  assert.ok(Math.abs(custom.image.height - (2903 * 640) / 4352) <= 1, `aspect kept: ${custom.image.height}`);
});

test('small images are never enlarged by the downscale option', async () => {
  const png = await (await solid(300, 200, '#336699')).png().toBuffer();
  const decoded = await decodeImage(png, { downscaleTo: 1920 });
  assert.deepEqual([decoded.image.width, decoded.image.height, decoded.scale], [300, 200, 1]);
  assert.deepEqual(pixel(decoded.image, 10, 10), [0x33, 0x66, 0x99]);
});

test('empty input is InvalidImage "empty image"', async () => {
  const error = await rejectsWith(decodeImage(new Uint8Array(0)), InvalidImage, /^empty image$/);
  assert.equal(error.code, 'invalid_image');
});

test('non-image content is refused naming the accepted formats', async () => {
  let seed = 12345;
  const random = new Uint8Array(4096).map(() => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24);
  random[0] = 0x42; // make sure it cannot start with a real signature by chance
  const gif = await (await solid(64, 64, '#ff0000')).gif().toBuffer();
  const cases: Array<[string, Uint8Array, RegExp]> = [
    ['random bytes', random, /unsupported image format: expected JPEG, PNG or WebP/],
    ['text', new TextEncoder().encode('this is not an image\n'), /unsupported image format: expected JPEG, PNG or WebP/],
    ['PDF', new TextEncoder().encode('%PDF-1.7\n%âãÏÓ\n1 0 obj\n'), /\(PDF\): expected JPEG, PNG or WebP/],
    ['GIF', gif, /\(GIF\): expected JPEG, PNG or WebP/],
    ['SVG', new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"/>'), /\(SVG\/XML\)/],
  ];
  for (const [name, bytes, message] of cases) {
    const error = await rejectsWith(decodeImage(bytes), InvalidImage, message);
    assert.deepEqual(error.details.accepted, ['jpeg', 'png', 'webp'], name);
  }
});

test('truncated JPEG (first half of img1.jpg) is refused, not grey-filled', { skip: fixturesMissing }, async () => {
  const jpeg = fixture('img1.jpg');
  const error = await rejectsWith(decodeImage(jpeg.subarray(0, jpeg.length >> 1)), InvalidImage, /corrupt or truncated JPEG image/);
  assert.equal(error.details.format, 'jpeg');
  // Every strictness level refuses truncation.
  for (const failOn of ['truncated', 'error'] as const) {
    await rejectsWith(decodeImage(jpeg.subarray(0, jpeg.length >> 1), { failOn }), InvalidImage, /truncated/);
  }
  // Only the header: refused while reading the header.
  await rejectsWith(decodeImage(jpeg.subarray(0, 100)), InvalidImage, /JPEG image \(unreadable header\)/);
});

test(
  'JPEG with a corrupted middle is refused at the default strictness (and why it is the default)',
  { skip: fixturesMissing },
  async () => {
    const jpeg = fixture('img1.jpg');
    const corrupt = new Uint8Array(jpeg);
    const middle = jpeg.length >> 1;
    for (let i = 0; i < 2000; i++) corrupt[middle + i * 7] = (i * 37) & 0xff;
    await rejectsWith(decodeImage(corrupt), InvalidImage, /corrupt or truncated JPEG image/);
    // failOn 'error' lets it through: libjpeg only warns and grey-fills (128) everything after the damage.
    const lenient = await decodeImage(corrupt, { failOn: 'error', downscaleTo: 0 });
    const lastRow = lenient.image.data.subarray((lenient.image.height - 1) * lenient.image.width * 3);
    assert.ok(
      lastRow.every((v) => v === 128),
      'lenient decode grey-fills the damaged part',
    );
  },
);

test('decompression bomb: a PNG header claiming 100000×100000 is refused from the header, quickly', async () => {
  const png = await pngClaiming(100_000, 100_000);
  assert.ok(png.length < 200);
  const started = performance.now();
  const error = await rejectsWith(decodeImage(png), ImageTooLarge, /100000×100000/);
  assert.ok(performance.now() - started < 500, 'refused before decoding');
  assert.equal(error.details.width, 100_000);
  assert.equal(error.details.height, 100_000);
  assert.equal(error.code, 'image_too_large');
});

test('pixel limit applies even when each side is within maxDimension (8000×8000 = 64 MP)', async () => {
  const error = await rejectsWith(decodeImage(await pngClaiming(8000, 8000)), ImageTooLarge, /\(64\.0 MP\); the limit is 40\.0 MP/);
  assert.deepEqual([error.details.width, error.details.height, error.details.maxPixels], [8000, 8000, 40_000_000]);
});

test('a real bomb — a valid 10000×10000 PNG of a few KB — is refused before decoding', async () => {
  const small = bilevelPng(64, 64);
  const check = await decodeImage(small);
  assert.deepEqual([check.image.width, check.image.height], [64, 64], 'the generator makes decodable PNGs');
  assert.deepEqual(pixel(check.image, 3, 3), [0, 0, 0]);

  const bomb = bilevelPng(10_000, 10_000); // 100 MP, each side within maxDimension
  assert.ok(bomb.length < 100_000, `bomb is ${bomb.length} bytes`);
  const started = performance.now();
  const error = await rejectsWith(decodeImage(bomb), ImageTooLarge, /10000×10000 px \(100\.0 MP\)/);
  assert.ok(performance.now() - started < 500, 'refused before decoding');
  assert.deepEqual([error.details.width, error.details.height], [10_000, 10_000]);
});

test('bytes over maxBytes are ImageTooLarge, checked before anything else', async () => {
  const big = new Uint8Array(DEFAULT_DECODE_LIMITS.maxBytes + 1);
  big.set([0xff, 0xd8, 0xff]);
  const error = await rejectsWith(decodeImage(big), ImageTooLarge, /15\.0 MiB/);
  assert.equal(error.details.bytes, DEFAULT_DECODE_LIMITS.maxBytes + 1);
  const png = await (await solid(64, 64, '#123456')).png().toBuffer();
  await rejectsWith(decodeImage(png, { maxBytes: png.length - 1 }), ImageTooLarge, /limit/);
  assert.equal((await decodeImage(png, { maxBytes: png.length })).image.width, 64);
});

test('tiny images are InvalidImage', async () => {
  const png = await (await solid(20, 40, '#ffffff')).png().toBuffer();
  const error = await rejectsWith(decodeImage(png), InvalidImage, /too small: 20×40 px/);
  assert.deepEqual([error.details.width, error.details.height], [20, 40]);
});

test('EXIF orientation 6 is applied: dimensions swap and content rotates 90° clockwise', async () => {
  // 120×60: left half red, right half blue. Orientation 6 displays it rotated 90° clockwise,
  // so red ends up on top and blue at the bottom of a 60×120 image.
  const raw = new Uint8Array(120 * 60 * 3);
  for (let y = 0; y < 60; y++) for (let x = 0; x < 120; x++) raw.set(x < 60 ? [255, 0, 0] : [0, 0, 255], (y * 120 + x) * 3);
  const jpeg = await sharp(raw, { raw: { width: 120, height: 60, channels: 3 } })
    .jpeg({ quality: 95 })
    .withMetadata({ orientation: 6 })
    .toBuffer();
  assert.equal((await sharp(jpeg).metadata()).orientation, 6);
  const decoded = await decodeImage(jpeg);
  assert.deepEqual([decoded.image.width, decoded.image.height], [60, 120]);
  assert.deepEqual([decoded.originalWidth, decoded.originalHeight], [60, 120]);
  const top = pixel(decoded.image, 30, 10);
  const bottom = pixel(decoded.image, 30, 110);
  assert.ok(top[0]! > 200 && top[2]! < 60, `top is red: ${top}`);
  assert.ok(bottom[2]! > 200 && bottom[0]! < 60, `bottom is blue: ${bottom}`);
});

test('greyscale PNG becomes 3-channel RGB with equal channels', async () => {
  const grey = await (await solid(64, 48, '#404040')).toColourspace('b-w').png().toBuffer();
  assert.equal((await sharp(grey).metadata()).channels, 1);
  const decoded = await decodeImage(grey);
  assert.equal(decoded.image.data.length, 64 * 48 * 3);
  assert.deepEqual(pixel(decoded.image, 5, 5), [64, 64, 64]);
});

test('alpha is flattened onto white: hidden colour under transparent pixels is not exposed', async () => {
  // Left half: red but fully transparent; right half: opaque blue.
  const rgba = new Uint8Array(64 * 48 * 4);
  for (let y = 0; y < 48; y++) for (let x = 0; x < 64; x++) rgba.set(x < 32 ? [255, 0, 0, 0] : [0, 0, 255, 255], (y * 64 + x) * 4);
  const png = await sharp(rgba, { raw: { width: 64, height: 48, channels: 4 } })
    .png()
    .toBuffer();
  assert.equal((await sharp(png).metadata()).hasAlpha, true);
  const decoded = await decodeImage(png);
  assert.equal(decoded.image.data.length, 64 * 48 * 3);
  assert.deepEqual(pixel(decoded.image, 5, 5), [255, 255, 255]);
  assert.deepEqual(pixel(decoded.image, 50, 5), [0, 0, 255]);
});

test('CMYK JPEG and 16-bit PNG come out as 8-bit sRGB', async () => {
  const cmyk = await (await solid(64, 48, '#ff0000')).toColourspace('cmyk').jpeg().toBuffer();
  assert.equal((await sharp(cmyk).metadata()).space, 'cmyk');
  const fromCmyk = await decodeImage(cmyk);
  assert.equal(fromCmyk.image.data.length, 64 * 48 * 3);
  const [r, g, b] = pixel(fromCmyk.image, 10, 10);
  assert.ok(r! > 200 && g! < 40 && b! < 40, `red survives CMYK: ${[r, g, b]}`);

  const png16 = await (await solid(64, 48, '#00ff00')).toColourspace('rgb16').png().toBuffer();
  assert.equal((await sharp(png16).metadata()).depth, 'ushort');
  const from16 = await decodeImage(png16);
  assert.deepEqual(pixel(from16.image, 10, 10), [0, 255, 0]);
});

test('invalid limits are InvalidArgument', async () => {
  const png = await (await solid(64, 64, '#000000')).png().toBuffer();
  await rejectsWith(decodeImage(png, { downscaleTo: -1 }), InvalidArgument, /downscaleTo/);
  await rejectsWith(decodeImage(png, { maxPixels: 0 }), InvalidArgument, /maxPixels/);
});

test('readImageFile: content decides the format, whatever the extension', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'facekey-decode-'));
  try {
    const file = path.join(dir, 'photo.jpg');
    fs.writeFileSync(file, await (await solid(64, 40, '#00ff00')).png().toBuffer());
    const decoded = await readImageFile(file);
    assert.equal(decoded.format, 'png');
    assert.deepEqual([decoded.image.width, decoded.image.height], [64, 40]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('readImageFile: directory, missing file, device, empty and oversize files get clear domain errors', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'facekey-decode-'));
  try {
    await rejectsWith(readImageFile(dir), InvalidImage, /is a directory/);
    await rejectsWith(readImageFile(path.join(dir, 'nope.jpg')), InvalidImage, /image file not found: .*nope\.jpg/);
    await rejectsWith(readImageFile(path.join(dir, 'nope', 'deeper.jpg')), InvalidImage, /not found/);
    await rejectsWith(readImageFile('/dev/zero'), InvalidImage, /not a regular file/);
    const empty = path.join(dir, 'empty.png');
    fs.writeFileSync(empty, '');
    await rejectsWith(readImageFile(empty), InvalidImage, /empty image/);
    const big = path.join(dir, 'big.jpg');
    fs.writeFileSync(big, Buffer.alloc(5000, 1));
    const error = await rejectsWith(readImageFile(big, { maxBytes: 4096 }), ImageTooLarge, /5000 bytes; the limit is 4096 bytes/);
    assert.equal(error.details.bytes, 5000);
    const text = path.join(dir, 'notes.png');
    fs.writeFileSync(text, 'just text');
    await rejectsWith(readImageFile(text), InvalidImage, /expected JPEG, PNG or WebP/);
    // Exactly at the limit is read completely.
    const bytes = await readImageBytes(big, 5000);
    assert.equal(bytes.length, 5000);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
