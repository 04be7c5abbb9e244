/**
 * Copies what the browser face engine (web/engine/) loads into the web build: `dist/web/models/`
 * by default, or the folder given as the first argument. Run after `vite build` (which empties
 * dist/web):  node dist/scripts/copy-web-models.js [target]
 *
 *   human/  the Human model files the server's analyzer loads (detectors, mesh, antispoof, liveness;
 *           not faceres, which only the server's human-faceres engine uses), json + bin
 *   tfjs/   tfjs-backend-wasm's .wasm files (Human's bundled tfjs picks plain, SIMD or threaded)
 *   ort/    onnxruntime-web's CPU (wasm EP) binary and its loader; the WebGPU/JSPI/asyncify
 *           variants (another 70 MB) are never used by the wasm EP
 *   <id>.json + <id>.onnx  each bundled ArcFace model card and its model file
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import {
  FULL_RANGE_DETECTOR_FILE,
  PER_FACE_MODEL_FILES,
  SHORT_RANGE_DETECTOR_FILE,
} from '../src/analysis/human-face-pass.js';
import { bundledModelCardsDir, readModelCardsDir } from '../src/engines/onnx-arcface/model-card-files.js';
import { humanExtraModelDir, humanModelDir, tfWasmDir } from '../src/runtime/package-paths.js';
import { projectRoot } from '../src/runtime/project-root.js';

const require = createRequire(import.meta.url);

/** onnxruntime-web's single-threaded/threaded SIMD CPU build, what `onnxruntime-web/wasm` loads. */
const ORT_FILES = ['ort-wasm-simd-threaded.wasm', 'ort-wasm-simd-threaded.mjs'];

export interface CopiedModels {
  readonly target: string;
  readonly files: ReadonlyArray<{ readonly file: string; readonly bytes: number }>;
  readonly totalBytes: number;
}

export function defaultWebModelsDir(): string {
  return path.join(projectRoot(), 'dist', 'web', 'models');
}

export function copyWebModels(target: string = defaultWebModelsDir()): CopiedModels {
  const copies: Array<[from: string, to: string]> = [];
  const humanModel = (dir: string, jsonFile: string) => {
    const json = path.join(dir, jsonFile);
    copies.push([json, path.join('human', jsonFile)]);
    const manifest = JSON.parse(fs.readFileSync(json, 'utf8')) as { weightsManifest?: Array<{ paths: string[] }> };
    for (const group of manifest.weightsManifest ?? []) {
      for (const bin of group.paths) copies.push([path.join(dir, bin), path.join('human', bin)]);
    }
  };
  humanModel(humanExtraModelDir(), SHORT_RANGE_DETECTOR_FILE);
  humanModel(humanModelDir(), FULL_RANGE_DETECTOR_FILE);
  for (const name of PER_FACE_MODEL_FILES) humanModel(humanModelDir(), `${name}.json`);

  for (const file of fs.readdirSync(tfWasmDir()).filter((f) => f.endsWith('.wasm'))) {
    copies.push([path.join(tfWasmDir(), file), path.join('tfjs', file)]);
  }
  // The package exports no package.json; its main entry (the node build) sits in dist/ beside the wasm.
  const ortDist = path.dirname(require.resolve('onnxruntime-web'));
  for (const file of ORT_FILES) copies.push([path.join(ortDist, file), path.join('ort', file)]);

  for (const { card, cardFile, modelFile } of readModelCardsDir(bundledModelCardsDir(), true)) {
    if (!fs.existsSync(modelFile)) throw new Error(`${modelFile} is missing: run \`npm run prepare\` to fetch the bundled models`);
    copies.push([cardFile, path.basename(cardFile)], [modelFile, card.file]);
  }

  const files = copies.map(([from, to]) => {
    const destination = path.join(target, to);
    fs.mkdirSync(path.dirname(destination), { recursive: true });
    fs.copyFileSync(from, destination);
    return { file: to, bytes: fs.statSync(destination).size };
  });
  return { target, files, totalBytes: files.reduce((sum, f) => sum + f.bytes, 0) };
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const copied = copyWebModels(process.argv[2] ? path.resolve(process.argv[2]) : undefined);
  console.log(`facekey: ${copied.files.length} model files (${(copied.totalBytes / 1e6).toFixed(1)} MB) copied into ${copied.target}`);
}
