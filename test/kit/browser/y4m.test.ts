import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { frameFromImage, readY4m, rgbToI420, solidFrame, writeY4m, y4mHeader, yuvToRgb } from './y4m.js';

test('the header is the one Chromium parses: size, rate, 4:2:0 with JPEG chroma siting', () => {
  assert.equal(y4mHeader({ width: 640, height: 480, fps: 10 }), 'YUV4MPEG2 W640 H480 F10:1 Ip A1:1 C420jpeg\n');
  assert.equal(y4mHeader({ width: 320, height: 240, fps: 30, colourspace: 'C420' }), 'YUV4MPEG2 W320 H240 F30:1 Ip A1:1 C420\n');
  assert.throws(() => y4mHeader({ width: 641, height: 480, fps: 10 }), /even sides/);
});

test('BT.601 studio range: known colours give the textbook Y/U/V values', () => {
  const cases: Array<[[number, number, number], [number, number, number]]> = [
    [[255, 255, 255], [235, 128, 128]],
    [[0, 0, 0], [16, 128, 128]],
    [[255, 0, 0], [81, 90, 240]],
    [[0, 255, 0], [145, 54, 34]],
    [[0, 0, 255], [41, 240, 110]],
    [[128, 128, 128], [126, 128, 128]],
  ];
  for (const [rgb, expected] of cases) {
    const { y, u, v } = rgbToI420(solidFrame(rgb, 4, 2));
    assert.deepEqual([y[0], u[0], v[0]], expected, `rgb ${rgb.join(',')}`);
    assert.ok(y.every((value) => value === expected[0]));
  }
});

test('a frame survives the round trip RGB → I420 → RGB within rounding, chroma as 2×2 means', () => {
  // Left half red, right half blue: chroma blocks never straddle the edge (it falls on an even column).
  const width = 8;
  const height = 4;
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y += 1)
    for (let x = 0; x < width; x += 1) data.set(x < 4 ? [200, 30, 40] : [20, 60, 220], (y * width + x) * 3);
  const planes = rgbToI420({ width, height, data });
  assert.equal(planes.y.length, 32);
  assert.equal(planes.u.length, 8);
  for (let x = 0; x < width; x += 1) {
    const back = yuvToRgb(planes.y[x]!, planes.u[Math.floor(x / 2)]!, planes.v[Math.floor(x / 2)]!);
    const want = x < 4 ? [200, 30, 40] : [20, 60, 220];
    for (const [i, channel] of (['r', 'g', 'b'] as const).entries()) assert.ok(Math.abs(back[channel] - want[i]!) <= 2, `x ${x} ${channel}`);
  }
});

test('a written clip reads back: header tags, FRAME markers, planes of the right size in order', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'facekey-y4m-'));
  try {
    const file = writeY4m(path.join(dir, 'clip.y4m'), { width: 16, height: 8, fps: 10 }, [
      solidFrame([255, 0, 0], 16, 8),
      solidFrame([0, 0, 255], 16, 8),
    ]);
    const bytes = fs.readFileSync(file);
    assert.equal(bytes.length, 'YUV4MPEG2 W16 H8 F10:1 Ip A1:1 C420jpeg\n'.length + 2 * (6 + 16 * 8 * 1.5));
    const clip = readY4m(file);
    assert.deepEqual([clip.width, clip.height, clip.fps, clip.colourspace], [16, 8, 10, '420jpeg']);
    assert.equal(clip.frames.length, 2);
    assert.deepEqual([clip.frames[0]!.y[0], clip.frames[0]!.v[0], clip.frames[1]!.y[0], clip.frames[1]!.u[0]], [81, 240, 41, 240]);
    assert.throws(() => writeY4m(path.join(dir, 'bad.y4m'), { width: 16, height: 8, fps: 10 }, [solidFrame([0, 0, 0], 8, 8)]), /8×8/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('an image becomes a 640×480 frame letterboxed on black, not cropped', async () => {
  // A tall white image: it fills the height and leaves black bars left and right.
  const tall = await sharp({ create: { width: 100, height: 300, channels: 3, background: { r: 255, g: 255, b: 255 } } })
    .png()
    .toBuffer();
  const frame = await frameFromImage(new Uint8Array(tall));
  assert.deepEqual([frame.width, frame.height], [640, 480]);
  const at = (x: number, y: number) => Array.from(frame.data.subarray((y * 640 + x) * 3, (y * 640 + x) * 3 + 3));
  assert.deepEqual(at(5, 240), [0, 0, 0]);
  assert.deepEqual(at(320, 5), [255, 255, 255]);
  assert.deepEqual(at(320, 474), [255, 255, 255]);
});
