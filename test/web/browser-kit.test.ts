/**
 * Smoke suite of the browser test kit: Debian's Chromium plays a y4m clip as its camera, axe-core
 * finds what it should (and nothing on a clean page), screenshots land in reports/. Needs
 * /usr/bin/chromium; the stand-in clip needs ../shared/datasets.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { cameraContext, CHROMIUM_PATH, launchChromium } from '../kit/browser/launch-chromium.js';
import { expectNoSeriousViolations, seriousViolations } from '../kit/browser/axe.js';
import { saveScreenshot } from '../kit/browser/screenshots.js';
import { makeClipDir, removeClipDir, standInClip, type Clip } from '../kit/browser/face-clips.js';
import { rgbToYuv, solidFrame, writeY4m, yuvToRgb } from '../kit/browser/y4m.js';
import { sharedDataMissingReason } from '../shared-data.js';

const skip = !fs.existsSync(CHROMIUM_PATH) ? `no Chromium at ${CHROMIUM_PATH}` : sharedDataMissingReason();

const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; media-src 'self' blob: mediastream:";

const CAMERA_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Camera</title></head>
<body><main><h1>Camera</h1><video id="camera" autoplay muted playsinline width="640" height="480"></video></main>
<script src="/camera.js"></script></body></html>`;

// Plain script, served from 'self' as the apps' bundles are (the page's CSP forbids inline scripts); the
// page side lives here, not in page.evaluate(fn): tsx compiles functions with helpers the page lacks.
const CAMERA_SCRIPT = `
window.cameraReady = navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 } }).then(async (stream) => {
  const video = document.getElementById('camera');
  video.srcObject = stream;
  await video.play();
  return stream.getVideoTracks()[0].getSettings();
});
// Counts presented frames (requestVideoFrameCallback) and grabs 32×24 grey thumbnails through a canvas.
window.recordCamera = async (seconds, sampleMs) => {
  const video = document.getElementById('camera');
  const canvas = document.createElement('canvas');
  canvas.width = 32;
  canvas.height = 24;
  const context = canvas.getContext('2d', { willReadFrequently: true });
  let framesPresented = 0;
  const count = () => { framesPresented += 1; video.requestVideoFrameCallback(count); };
  video.requestVideoFrameCallback(count);
  const thumbnails = [];
  const started = performance.now();
  while (performance.now() - started < seconds * 1000) {
    context.drawImage(video, 0, 0, 32, 24);
    const rgba = context.getImageData(0, 0, 32, 24).data;
    const grey = [];
    for (let i = 0; i < rgba.length; i += 4) grey.push(Math.round((rgba[i] + rgba[i + 1] + rgba[i + 2]) / 3));
    thumbnails.push(grey);
    await new Promise((r) => setTimeout(r, sampleMs));
  }
  return { framesPresented, thumbnails };
};
window.centrePixel = () => {
  const video = document.getElementById('camera');
  const canvas = document.createElement('canvas');
  canvas.width = 64;
  canvas.height = 48;
  const context = canvas.getContext('2d');
  context.drawImage(video, 0, 0, 64, 48);
  return Array.from(context.getImageData(32, 24, 1, 1).data.slice(0, 3));
};`;

const ACCESSIBLE_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Pay with your face</title></head>
<body><main><h1>Pay with your face</h1><form><label for="pin">PIN</label><input id="pin" inputmode="numeric">
<button type="submit">Pay</button></form><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" alt="Store logo"></main></body></html>`;

// No lang, a button without a name, an image without alt text, an unlabelled input: each a serious or critical rule.
const BAD_PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>Bad</title></head>
<body><button></button><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="><input type="text"></body></html>`;

function servePages(): Promise<{ url: string; close: () => Promise<void> }> {
  const pages: Record<string, [string, string]> = {
    '/camera': ['text/html', CAMERA_PAGE],
    '/camera.js': ['text/javascript', CAMERA_SCRIPT],
    '/accessible': ['text/html', ACCESSIBLE_PAGE],
    '/bad': ['text/html', BAD_PAGE],
  };
  const server = http.createServer((request, response) => {
    const page = pages[request.url ?? ''];
    if (!page) return void response.writeHead(404).end();
    response.writeHead(200, { 'content-type': `${page[0]}; charset=utf-8`, 'content-security-policy': CSP }).end(page[1]);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      resolve({ url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r())) });
    }),
  );
}

interface CameraRecording {
  readonly settings: { width?: number; height?: number; frameRate?: number };
  /** requestVideoFrameCallback frames counted over `seconds`. */
  readonly framesPresented: number;
  readonly seconds: number;
  /** 32×24 grey thumbnails grabbed through a canvas every `sampleMs`. */
  readonly thumbnails: number[][];
  readonly sampleMs: number;
}

async function recordCamera(page: Page, seconds: number, sampleMs: number): Promise<CameraRecording> {
  const settings = (await page.evaluate('window.cameraReady')) as CameraRecording['settings'];
  const recorded = (await page.evaluate(`window.recordCamera(${seconds}, ${sampleMs})`)) as Pick<CameraRecording, 'framesPresented' | 'thumbnails'>;
  return { settings, seconds, sampleMs, ...recorded };
}

const distance = (a: readonly number[], b: readonly number[]): number => a.reduce((sum, v, i) => sum + Math.abs(v - b[i]!), 0) / a.length;

describe('browser test kit', { skip }, () => {
  let browser: Browser;
  let clipDir: string;
  let clip: Clip;
  let pages: { url: string; close: () => Promise<void> };

  before(async () => {
    clipDir = makeClipDir('browser-kit');
    // A short performance (turn left, turn right: about 3.5 s) so that two loops fit in the recording.
    clip = await standInClip(clipDir, { actions: ['turn_left', 'turn_right'] });
    pages = await servePages();
    browser = await launchChromium({ cameraClip: clip.file });
  });
  after(async () => {
    await browser?.close();
    await pages?.close();
    if (clipDir) removeClipDir(clipDir);
  });

  test('the fake camera plays the clip: frames change, arrive at the clip rate, and the clip loops', async () => {
    const context = await cameraContext(browser, pages.url);
    const page = await context.newPage();
    await page.goto(`${pages.url}/camera`);
    const clipSeconds = clip.frameCount / clip.fps;
    const recording = await recordCamera(page, 2 * clipSeconds + 1, 100);
    await saveScreenshot(page, 'browser-kit', 'camera-stand-in');
    await context.close();

    assert.equal(recording.settings.width, 640);
    assert.equal(recording.settings.height, 480);
    const thumbs = recording.thumbnails;
    // The picture moves: the stand-in turns, so thumbnails differ by more than sensor noise and JPEG-free rounding.
    const changes = thumbs.slice(1).map((t, i) => distance(thumbs[i]!, t));
    assert.ok(Math.max(...changes) > 2, `frames do not change (largest step ${Math.max(...changes).toFixed(2)})`);
    const rate = recording.framesPresented / recording.seconds;
    console.log(
      `camera: ${recording.settings.width}×${recording.settings.height} track frameRate ${recording.settings.frameRate}; ` +
        `${recording.framesPresented} frames presented in ${recording.seconds.toFixed(1)} s = ${rate.toFixed(1)} fps (clip ${clip.fps} fps, ${clip.frameCount} frames)`,
    );
    assert.ok(rate > clip.fps / 2, `frames arrive at ${rate.toFixed(1)} fps, the clip is ${clip.fps} fps`);
    // Looping: a thumbnail of the first loop is seen again one clip length later (closer than to the
    // frames half a loop away, when the head is turned), and the camera is still playing at the end.
    const period = Math.round((clipSeconds * 1000) / recording.sampleMs);
    const probe = Math.round(period * 0.3);
    const oneLoopLater = Math.min(...[-2, -1, 0, 1, 2].map((d) => distance(thumbs[probe]!, thumbs[probe + period + d]!)));
    const halfLoopLater = distance(thumbs[probe]!, thumbs[probe + Math.round(period / 2)]!);
    console.log(`loop: ${oneLoopLater.toFixed(2)} grey levels one clip length later, ${halfLoopLater.toFixed(2)} half a clip later`);
    assert.ok(oneLoopLater < halfLoopLater, 'the clip does not come round again');
    const tail = thumbs.slice(-Math.round(period / 2));
    assert.ok(Math.max(...tail.slice(1).map((t, i) => distance(tail[i]!, t))) > 0.5, 'the camera froze after one loop');
  });

  test('colours reach the page as BT.601 studio range (what y4m.ts writes)', async () => {
    const file = writeY4m(path.join(clipDir, 'colours.y4m'), { width: 640, height: 480, fps: 10 }, [solidFrame([200, 40, 60])]);
    const colourBrowser = await launchChromium({ cameraClip: file });
    try {
      const context = await cameraContext(colourBrowser, pages.url);
      const page = await context.newPage();
      await page.goto(`${pages.url}/camera`);
      const recording = await recordCamera(page, 1, 200);
      const rgb = (await page.evaluate('window.centrePixel()')) as number[];
      assert.ok(recording.framesPresented > 0);
      const yuv = rgbToYuv(200, 40, 60);
      const expected = yuvToRgb(Math.round(yuv.y), Math.round(yuv.u), Math.round(yuv.v));
      console.log(`colour: wrote rgb(200,40,60), page sees rgb(${rgb.join(',')})`);
      for (const [i, channel] of (['r', 'g', 'b'] as const).entries())
        assert.ok(Math.abs(rgb[i]! - expected[channel]) <= 6, `${channel}: page ${rgb[i]}, expected ${expected[channel]}`);
    } finally {
      await colourBrowser.close();
    }
  });

  test('axe finds no serious violation on an accessible page, under a strict CSP', async () => {
    const page = await browser.newPage();
    await page.goto(`${pages.url}/accessible`);
    await expectNoSeriousViolations(page, 'accessible page');
    await saveScreenshot(page, 'browser-kit', 'accessible-page');
    await page.close();
  });

  test('axe finds the violations of a bad page, and expectNoSeriousViolations fails on them', async () => {
    const page = await browser.newPage();
    await page.goto(`${pages.url}/bad`);
    const ids = (await seriousViolations(page)).map((v) => v.id).sort();
    console.log(`bad page: ${ids.join(', ')}`);
    assert.deepEqual(ids, ['button-name', 'html-has-lang', 'image-alt', 'label']);
    await assert.rejects(expectNoSeriousViolations(page, 'bad page'), (error: Error) => {
      assert.match(error.message, /bad page: 4 serious\/critical/);
      assert.match(error.message, /\[critical\] button-name/);
      return true;
    });
    await page.close();
  });
});
