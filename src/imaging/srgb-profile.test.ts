import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import sharp from 'sharp';
import { faceApiDistDir } from '../runtime/package-paths.js';
import { decodeImage } from './decode-image.js';
import { isStandardSrgbProfile } from './srgb-profile.js';

/** The first bundled sample photo: a 1920×1280 JPEG carrying the standard sRGB profile. */
const SAMPLE = path.join(faceApiDistDir(), '..', 'demo', 'sample1.jpg');

async function embeddedProfile(bytes: Uint8Array): Promise<Buffer> {
  const { icc } = await sharp(bytes).metadata();
  assert.ok(icc, 'the bundled sample carries an ICC profile');
  return icc;
}

/** An RGB PNG of these exact pixels that carries `icc` (an iCCP chunk), written by hand so nothing converts the pixels. */
function pngWithProfile(width: number, height: number, rgb: Uint8Array, icc: Uint8Array): Buffer {
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
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const rows = Buffer.alloc(height * (width * 3 + 1)); // filter byte 0 per row
  for (let y = 0; y < height; y++) rows.set(rgb.subarray(y * width * 3, (y + 1) * width * 3), y * (width * 3 + 1) + 1);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('iCCP', Buffer.concat([Buffer.from('profile\0\0', 'latin1'), zlib.deflateSync(icc)])),
    chunk('IDAT', zlib.deflateSync(rows, { level: 1 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** 64³ colours (every 4th level per channel, 255 included) in a 512×512 image. */
function colourGrid(): { width: number; height: number; rgb: Uint8Array } {
  const levels = Array.from({ length: 64 }, (_, i) => Math.min(255, i * 4 + (i === 63 ? 3 : 0)));
  const rgb = new Uint8Array(512 * 512 * 3);
  let o = 0;
  for (const r of levels) for (const g of levels) for (const b of levels) rgb.set([r, g, b], o++ * 3);
  return { width: 512, height: 512, rgb };
}

/** What libvips makes of the bytes when it converts from the embedded profile to sRGB (the old decode). */
async function convertedBySharp(bytes: Uint8Array): Promise<Buffer> {
  return sharp(bytes, { autoOrient: true }).flatten({ background: '#ffffff' }).toColourspace('srgb').raw().toBuffer();
}

function largestDifference(a: Uint8Array, b: Uint8Array): number {
  assert.equal(a.length, b.length);
  let largest = 0;
  for (let i = 0; i < a.length; i++) largest = Math.max(largest, Math.abs(a[i]! - b[i]!));
  return largest;
}

test('the bundled sample carries the standard sRGB profile, and any other bytes are not it', async () => {
  const icc = await embeddedProfile(new Uint8Array(fs.readFileSync(SAMPLE)));
  assert.equal(isStandardSrgbProfile(icc), true);
  const altered = Buffer.from(icc);
  altered[altered.length - 1]! ^= 1;
  assert.equal(isStandardSrgbProfile(altered), false);
  assert.equal(isStandardSrgbProfile(undefined), false);
  assert.equal(isStandardSrgbProfile(new Uint8Array(3144)), false);
});

test('a photo with the standard sRGB profile decodes to exactly the pixels the conversion gave', async () => {
  const bytes = new Uint8Array(fs.readFileSync(SAMPLE));
  const decoded = await decodeImage(bytes);
  assert.equal(largestDifference(decoded.image.data, await convertedBySharp(bytes)), 0);
});

test('with the standard sRGB profile the stored pixels come out as stored; the conversion would move none by more than 1', async () => {
  const icc = await embeddedProfile(new Uint8Array(fs.readFileSync(SAMPLE)));
  const { width, height, rgb } = colourGrid();
  const png = pngWithProfile(width, height, rgb, icc);
  const decoded = await decodeImage(png);
  assert.deepEqual(decoded.image.data, rgb);
  assert.ok(largestDifference(decoded.image.data, await convertedBySharp(png)) <= 1);
});

test('any other embedded profile is still converted to sRGB', async () => {
  // The same colours tagged Display P3 (sharp's built-in profile): they must change on decode.
  const { width, height, rgb } = colourGrid();
  const p3 = await sharp(Buffer.from(rgb), { raw: { width, height, channels: 3 } })
    .withIccProfile('p3')
    .png()
    .toBuffer();
  const { icc } = await sharp(p3).metadata();
  assert.ok(icc && !isStandardSrgbProfile(icc));
  const tagged = pngWithProfile(width, height, rgb, icc);
  const decoded = await decodeImage(tagged);
  assert.deepEqual(Buffer.from(decoded.image.data), await convertedBySharp(tagged));
  assert.ok(largestDifference(decoded.image.data, rgb) > 10, 'P3 colours are not sRGB colours');
});
