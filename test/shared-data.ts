import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../src/runtime/project-root.js';

/** ../shared beside the repository (read-only; present on developer machines and in CI). */
export const SHARED_DATASETS = path.join(projectRoot(), '..', 'shared', 'datasets');
export const DEEPFACE_DIR = path.join(SHARED_DATASETS, 'deepface-fixtures');
export const LFW_DIR = path.join(SHARED_DATASETS, 'lfw-dev');

export function sharedDataMissingReason(): string | false {
  return fs.existsSync(DEEPFACE_DIR) && fs.existsSync(LFW_DIR) ? false : `shared data sets not found at ${SHARED_DATASETS}`;
}

export function deepface(file: string): Uint8Array {
  return new Uint8Array(fs.readFileSync(path.join(DEEPFACE_DIR, file)));
}

export interface LabelledPair {
  readonly left: string;
  readonly right: string;
  readonly same: boolean;
}

/** The first `perClass` same-person and different-person pairs of deepface's master.csv. */
export function deepfacePairs(perClass: number): LabelledPair[] {
  const rows = fs.readFileSync(path.join(DEEPFACE_DIR, 'master.csv'), 'utf8').trim().split('\n').slice(1);
  const pairs = rows.map((r) => {
    const [left, right, decision] = r.trim().split(',');
    return { left: left!, right: right!, same: decision === 'Yes' };
  });
  return [...pairs.filter((p) => p.same).slice(0, perClass), ...pairs.filter((p) => !p.same).slice(0, perClass)];
}
