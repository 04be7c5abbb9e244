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
 *   manifest.json  every file's SHA-256 and the models' VERSION (a digest of them all): the service
 *           serves the models under /models/<version>/ as immutable, so a kiosk fetches them once per
 *           content, not once per build (the weak ETag of /models/ follows the copy's mtime)
 */
import { createHash } from 'node:crypto';
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
  readonly files: ReadonlyArray<{ readonly file: string; readonly bytes: number; readonly sha256: string }>;
  readonly totalBytes: number;
  /** A digest of every file's path and content: the same models, the same version. */
  readonly version: string;
}

/** The models' manifest, beside them in the web build. */
export const MODELS_MANIFEST = 'manifest.json';

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
    const bytes = fs.readFileSync(destination);
    return { file: to.split(path.sep).join('/'), bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
  });
  files.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  const version = createHash('sha256')
    .update(files.map((f) => `${f.file} ${f.sha256}\n`).join(''))
    .digest('hex')
    .slice(0, 16);
  fs.writeFileSync(path.join(target, MODELS_MANIFEST), `${JSON.stringify({ version, files }, null, 2)}\n`);
  return { target, files, totalBytes: files.reduce((sum, f) => sum + f.bytes, 0), version };
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const copied = copyWebModels(process.argv[2] ? path.resolve(process.argv[2]) : undefined);
  console.log(`facekey: ${copied.files.length} model files (${(copied.totalBytes / 1e6).toFixed(1)} MB) copied into ${copied.target}, version ${copied.version}`);
}
