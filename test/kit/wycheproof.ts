import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../src/runtime/project-root.js';

/** Wycheproof test vectors (Apache-2.0) in ../shared, as CI lays it out; never copied into the repository. */
export const WYCHEPROOF_DIR = path.join(projectRoot(), '..', 'shared', 'vectors', 'wycheproof');

export interface WycheproofTest {
  readonly tcId: number;
  readonly comment: string;
  readonly flags: readonly string[];
  readonly msg: string;
  readonly sig: string;
  readonly result: 'valid' | 'invalid' | 'acceptable';
}

export interface WycheproofGroup {
  readonly publicKeyJwk?: Record<string, string>;
  readonly publicKey: Record<string, unknown>;
  readonly tests: readonly WycheproofTest[];
}

export function wycheproofMissingReason(file: string): string | false {
  return fs.existsSync(path.join(WYCHEPROOF_DIR, file)) ? false : `Wycheproof vectors not found at ${path.join(WYCHEPROOF_DIR, file)} (shared data missing)`;
}

export function wycheproofGroups(file: string): WycheproofGroup[] {
  return JSON.parse(fs.readFileSync(path.join(WYCHEPROOF_DIR, file), 'utf8')).testGroups;
}
