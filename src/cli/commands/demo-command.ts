import fs from 'node:fs';
import path from 'node:path';
import type { CliCommand } from '../command.js';
import { faceApiDistDir } from '../../runtime/package-paths.js';
import { detectCommand } from './detect-command.js';
import { enginesCommand } from './engines-command.js';

/** Group photos shipped inside the @vladmandic/face-api npm package: no download, no data set. */
export function bundledSampleImages(): string[] {
  const dir = path.join(faceApiDistDir(), '..', 'demo');
  return fs
    .readdirSync(dir)
    .filter((f) => /^sample\d+\.jpg$/.test(f))
    .sort()
    .map((f) => path.join(dir, f));
}

export const demoCommand: CliCommand = {
  name: 'demo',
  summary: 'run the face pipeline on the sample photos bundled with the models (no service needed)',
  usage: 'facekey demo [--json]',
  async run(argv, io) {
    await enginesCommand.run([], io);
    return detectCommand.run([...bundledSampleImages(), ...argv], io);
  },
};
