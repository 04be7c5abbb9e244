/**
 * The kiosk's template must be the server's: the same image through the browser face engine (Human's
 * ESM build + onnxruntime-web, in Debian's chromium) and through the server's in-process face
 * service gives templates with cosine ≥ 0.99. Prints min/median cosine and the browser's timings.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { build, defaultClientConditions } from 'vite';
import { fromFrameEvidence, type FrameEvidence } from '../../src/analysis/frame-evidence.js';
import { assessBurstLiveness } from '../../src/pad/burst-liveness.js';
import { assessFramePresentation } from '../../src/pad/frame-presentation.js';
import { createInProcessFaceService } from '../../src/pipeline/in-process-face-service.js';
import type { FaceService } from '../../src/pipeline/face-service.js';
import { assessQuality } from '../../src/quality/assess-quality.js';
import { decodeImage } from '../../src/imaging/decode-image.js';
import { decodeTemplate } from '../../src/templates/template-codec.js';
import { copyWebModels } from '../../scripts/copy-web-models.js';
import { launchChromium } from '../kit/browser/launch-chromium.js';
import { LFW_DIR, sharedDataMissingReason } from '../shared-data.js';
import type { EngineTestApi, EngineTestResult } from './fixtures/engine-page/engine-page.js';

const ENGINE = 'faceplugin-arcface';
const IMAGES = 20;
const MIN_COSINE = 0.99;
/** The contract's CSP for the kiosk pages (without the network simulator's origins): the engine must run under it. */
const KIOSK_CSP =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
  "media-src 'self' blob: mediastream:; connect-src 'self'; worker-src 'self' blob:";
const PAGE_DIR = path.join(import.meta.dirname, 'fixtures', 'engine-page');

/** The first image of every 60th person: 20 different people, in a fixed order. */
function lfwImages(): string[] {
  const root = path.join(LFW_DIR, 'images');
  const people = fs.readdirSync(root).sort();
  const step = Math.floor(people.length / IMAGES);
  return Array.from({ length: IMAGES }, (_, i) => {
    const person = people[i * step]!;
    return path.join(person, fs.readdirSync(path.join(root, person)).sort()[0]!);
  });
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.jpg': 'image/jpeg',
  '.png': 'image/png',
};

/** Static files: the built page at /, the models at /models, LFW at /lfw. */
function serve(routes: ReadonlyArray<readonly [prefix: string, dir: string]>): Promise<http.Server> {
  const server = http.createServer((request, response) => {
    const url = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
    for (const [prefix, dir] of routes) {
      if (!url.startsWith(prefix)) continue;
      const file = path.join(dir, url.slice(prefix.length) || 'index.html');
      if (!file.startsWith(dir) || !fs.existsSync(file) || !fs.statSync(file).isFile()) break;
      const type = CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream';
      response.writeHead(200, { 'content-type': type, ...(type === 'text/html' ? { 'content-security-policy': KIOSK_CSP } : {}) });
      fs.createReadStream(file).pipe(response);
      return;
    }
    response.writeHead(404).end();
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

describe('browser face engine: template parity with the server', { skip: sharedDataMissingReason() }, () => {
  let temp: string;
  let server: http.Server;
  let browser: Browser;
  let page: Page;
  let faceService: FaceService;
  let origin: string;
  const results: Array<{ image: string; browser: EngineTestResult }> = [];
  const wasmFetched: string[] = [];
  const cspViolations: string[] = [];

  before(async () => {
    temp = fs.mkdtempSync(path.join(os.tmpdir(), 'facekey-engine-page-'));
    const pageDir = path.join(temp, 'page');
    await build({
      configFile: false,
      root: PAGE_DIR,
      base: './',
      logLevel: 'warn',
      // onnxruntime-web's build that loads its wasm loader from wasmPaths (the copied models)
      // instead of bundling it, so no second 14 MB copy of the wasm lands in the page's assets.
      resolve: { conditions: ['onnxruntime-web-use-extern-wasm', ...defaultClientConditions] },
      build: { outDir: pageDir, emptyOutDir: true, target: 'es2022', reportCompressedSize: false, chunkSizeWarningLimit: 4096 },
    });
    fs.mkdirSync(path.join(temp, 'made'));
    const assets = fs.readdirSync(path.join(pageDir, 'assets'));
    console.log(`page assets: ${assets.map((a) => `${a} ${(fs.statSync(path.join(pageDir, 'assets', a)).size / 1e6).toFixed(2)} MB`).join(', ')}`);
    assert.ok(!assets.some((a) => a.endsWith('.wasm')), 'no wasm bundled into the page');
    const models = copyWebModels(path.join(temp, 'models'));
    console.log(`web models: ${models.files.length} files, ${(models.totalBytes / 1e6).toFixed(1)} MB`);
    server = await serve([
      ['/models/', path.join(temp, 'models')],
      ['/lfw/', path.join(LFW_DIR, 'images')],
      ['/made/', path.join(temp, 'made')],
      ['/', pageDir],
    ]);
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    [browser, faceService] = await Promise.all([launchChromium(), createInProcessFaceService([ENGINE])]);
    page = await browser.newPage();
    page.on('console', (message) => {
      if (/Content.Security.Policy|Refused/i.test(message.text())) cspViolations.push(message.text());
    });
    page.on('pageerror', (error) => console.log(`page error: ${error.message}`));
    page.on('request', (request) => {
      if (request.url().endsWith('.wasm')) wasmFetched.push(new URL(request.url()).pathname);
    });
    page.on('response', (response) => {
      if (response.status() >= 400) console.log(`page fetch ${response.status()}: ${response.url()}`);
    });
    await page.goto(`${origin}/`);
    await page.waitForSelector('body[data-ready="true"]');
  });

  after(async () => {
    await browser?.close();
    await faceService?.close();
    server?.close();
    if (temp) fs.rmSync(temp, { recursive: true, force: true });
  });

  it('loads with the server engine id and version', async () => {
    const loaded = await page.evaluate((base) => (globalThis as unknown as { engineTest: EngineTestApi }).engineTest.load(base), '/models');
    console.log(`browser engine loaded in ${loaded.loadMs.toFixed(0)} ms: ${loaded.engine?.id} ${loaded.engine?.version}`);
    console.log(`wasm fetched: ${wasmFetched.join(', ')}`);
    assert.deepEqual(cspViolations, [], 'the engine runs under the kiosk CSP');
    assert.ok(
      wasmFetched.every((p) => p.startsWith('/models/')),
      'the wasm binaries come from the copied models, not from the page bundle',
    );
    const probe = await faceService.process(fs.readFileSync(path.join(LFW_DIR, 'images', lfwImages()[0]!)), {
      engines: [ENGINE],
      multipleFaces: 'largest',
    });
    assert.deepEqual(loaded.engine, { id: ENGINE, version: probe.selected.templates[0]!.engineVersion });
  });

  it(`makes the server's template for the same image (cosine ≥ ${MIN_COSINE}) on ${IMAGES} LFW images`, async () => {
    const cosines: number[] = [];
    let byteIdentical = 0;
    for (const image of lfwImages()) {
      const bytes = fs.readFileSync(path.join(LFW_DIR, 'images', image));
      const url = `/lfw/${image.split(path.sep).map(encodeURIComponent).join('/')}`;
      const inBrowser = await page.evaluate((u) => (globalThis as unknown as { engineTest: EngineTestApi }).engineTest.run(u), url);
      results.push({ image, browser: inBrowser });
      const onServer = await faceService.process(bytes, { engines: [ENGINE], multipleFaces: 'largest' });
      assert.ok(inBrowser.template, `${image}: the browser found no face`);
      const browserBytes = Buffer.from(inBrowser.template, 'base64');
      if (browserBytes.equals(Buffer.from(onServer.selected.templates[0]!.template))) byteIdentical++;
      const browserTemplate = decodeTemplate(browserBytes);
      const serverTemplate = decodeTemplate(onServer.selected.templates[0]!.template);
      assert.equal(browserTemplate.engineId, serverTemplate.engineId);
      assert.equal(browserTemplate.engineVersion, serverTemplate.engineVersion);
      let cosine = 0;
      for (let i = 0; i < serverTemplate.dimension; i++) cosine += browserTemplate.vector[i]! * serverTemplate.vector[i]!;
      cosines.push(cosine);
      const face = inBrowser.faces[0]!;
      console.log(
        `${image}: cosine ${cosine.toFixed(7)}, box Δ ${Math.abs(face.box.x - onServer.selected.face.box.x).toFixed(3)} px, ` +
          `browser analyze ${inBrowser.analyzeMs.toFixed(0)} ms, template ${inBrowser.templateMs.toFixed(0)} ms, decode ${inBrowser.decodeMs.toFixed(0)} ms`,
      );
    }
    const analyze = results.map((r) => r.browser.analyzeMs);
    const template = results.map((r) => r.browser.templateMs);
    console.log(
      `templates byte-identical to the server's: ${byteIdentical}/${cosines.length}; ` +
        `cosine browser vs server over ${cosines.length} images: min ${Math.min(...cosines).toFixed(7)} ` +
        `(1 − min = ${(1 - Math.min(...cosines)).toExponential(1)}), median ${median(cosines).toFixed(7)}; ` +
        `browser median analyze ${median(analyze).toFixed(0)} ms (max ${Math.max(...analyze).toFixed(0)}), ` +
        `median template ${median(template).toFixed(0)} ms (max ${Math.max(...template).toFixed(0)})`,
    );
    for (const [i, cosine] of cosines.entries()) assert.ok(cosine >= MIN_COSINE, `${results[i]!.image}: cosine ${cosine} < ${MIN_COSINE}`);
  });

  it('falls back to the full-range detector for a small face, still with the server template', async () => {
    // A 1600 px grey frame with an LFW photo pasted at (40, 40): the face is ~9 px at the short-range
    // detector's input, too small for it (see test/engine/detector-fallback.test.ts).
    const dir = path.join(LFW_DIR, 'images', 'Aaron_Sorkin');
    const photo = path.join(dir, fs.readdirSync(dir).sort()[0]!);
    const png = await sharp({ create: { width: 1600, height: 1600, channels: 3, background: '#808080' } })
      .composite([{ input: photo, left: 40, top: 40 }])
      .png()
      .toBuffer();
    fs.writeFileSync(path.join(temp, 'made', 'far.png'), png);
    const inBrowser = await page.evaluate((u) => (globalThis as unknown as { engineTest: EngineTestApi }).engineTest.run(u), '/made/far.png');
    const onServer = await faceService.process(new Uint8Array(png), { engines: [ENGINE], multipleFaces: 'largest' });
    assert.equal(inBrowser.faces.length, 1, 'the full-range detector should have found the small face');
    const browserTemplate = decodeTemplate(Buffer.from(inBrowser.template!, 'base64'));
    const serverTemplate = decodeTemplate(onServer.selected.templates[0]!.template);
    let cosine = 0;
    for (let i = 0; i < serverTemplate.dimension; i++) cosine += browserTemplate.vector[i]! * serverTemplate.vector[i]!;
    console.log(
      `full-range fallback (1600 px frame): cosine ${cosine.toFixed(7)}, browser analyze ${inBrowser.analyzeMs.toFixed(0)} ms ` +
        `(first use loads the second Human instance), template ${inBrowser.templateMs.toFixed(0)} ms`,
    );
    assert.ok(cosine >= MIN_COSINE, `cosine ${cosine}`);
  });

  it("hands the server's PAD and quality code a FaceAnalysis it accepts", async () => {
    assert.ok(results.length > 0, 'the parity test ran first');
    const { image, browser: seen } = results[0]!;
    const evidence: FrameEvidence = seen.faces[0]!;
    assert.equal(evidence.mesh.length, 468);
    assert.equal(evidence.meshDepth.length, 468);
    assert.ok(evidence.mesh.every((p) => p.length === 2 && p.every(Number.isFinite)));
    // Through JSON, as the kiosk posts it.
    const analysis = fromFrameEvidence(JSON.parse(JSON.stringify(evidence)) as FrameEvidence);
    const { image: pixels } = await decodeImage(fs.readFileSync(path.join(LFW_DIR, 'images', image)));
    assert.equal(evidence.width, pixels.width);
    assert.equal(evidence.height, pixels.height);
    const quality = assessQuality(pixels, analysis);
    assert.deepEqual(
      quality.reasons.map((r) => r.code),
      seen.guidance,
      'the browser guidance is the server quality verdict',
    );
    assert.equal(typeof assessFramePresentation(analysis.presentation).passed, 'boolean');
    const burst = assessBurstLiveness([analysis, analysis, analysis]);
    assert.equal(burst.live, false, 'three identical frames show no motion: not live');
  });
});
