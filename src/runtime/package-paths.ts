import { createRequire } from 'node:module';
import path from 'node:path';

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
