import fs from 'node:fs';
import path from 'node:path';
import { InvalidArgument } from '../errors/domain-errors.js';

export interface ImagePair {
  readonly left: string;
  readonly right: string;
  readonly same: boolean;
}

export interface PairFolds {
  readonly folds: ImagePair[][];
}

/** LFW's image naming: images/<Name>/<Name>_NNNN.jpg, 1-based. */
export function lfwImagePath(imagesDir: string, name: string, index: number): string {
  return path.join(imagesDir, name, `${name}_${String(index).padStart(4, '0')}.jpg`);
}

/**
 * Parses LFW's pairs format. The header gives folds and pairs per class ("3\t300": three folds,
 * each 300 same-person pairs followed by 300 different-person pairs); `Name i j` is a same-person
 * pair, `NameA i NameB j` a different-person pair.
 */
export function parseLfwPairs(text: string, imagesDir: string): PairFolds {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  const header = lines[0]?.split(/\s+/).map(Number);
  if (!header || header.length < 2 || !header.every((n) => Number.isInteger(n) && n > 0)) {
    throw new InvalidArgument(`pairs file: first line must be "<folds>\\t<pairs per class>", got "${lines[0] ?? ''}"`);
  }
  const [foldCount, perClass] = header as [number, number];
  const expected = foldCount * perClass * 2;
  if (lines.length - 1 !== expected) {
    throw new InvalidArgument(`pairs file: header promises ${expected} pairs, file has ${lines.length - 1}`);
  }
  const folds: ImagePair[][] = [];
  for (let f = 0; f < foldCount; f++) {
    const fold: ImagePair[] = [];
    for (let k = 0; k < perClass * 2; k++) {
      const lineNo = 1 + f * perClass * 2 + k;
      fold.push(parsePairLine(lines[lineNo]!, lineNo + 1, imagesDir));
    }
    folds.push(fold);
  }
  return { folds };
}

function parsePairLine(line: string, lineNo: number, imagesDir: string): ImagePair {
  const parts = line.split(/\s+/);
  const index = (s: string | undefined): number => {
    const n = Number(s);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgument(`pairs file line ${lineNo}: bad image number "${s}"`);
    return n;
  };
  if (parts.length === 3) {
    const [name, i, j] = parts as [string, string, string];
    return { left: lfwImagePath(imagesDir, name, index(i)), right: lfwImagePath(imagesDir, name, index(j)), same: true };
  }
  if (parts.length === 4) {
    const [a, i, b, j] = parts as [string, string, string, string];
    return { left: lfwImagePath(imagesDir, a, index(i)), right: lfwImagePath(imagesDir, b, index(j)), same: false };
  }
  throw new InvalidArgument(`pairs file line ${lineNo}: expected 3 or 4 fields, got ${parts.length}`);
}

export function readLfwPairs(pairsFile: string, imagesDir: string): PairFolds {
  return parseLfwPairs(fs.readFileSync(pairsFile, 'utf8'), imagesDir);
}
