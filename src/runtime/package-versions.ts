import fs from 'node:fs';
import path from 'node:path';
import { humanDistDir } from './package-paths.js';
import { projectRoot } from './project-root.js';

let humanVersion: string | undefined;

/** The installed Human version; it is part of template versions of engines built on Human models. */
export function humanPackageVersion(): string {
  humanVersion ??= (JSON.parse(fs.readFileSync(path.join(humanDistDir(), '..', 'package.json'), 'utf8')) as { version: string }).version;
  return humanVersion;
}

let facekeyVersion: string | undefined;

/** facekey's own version, from package.json: the one source for what the API and CLI report. */
export function facekeyPackageVersion(): string {
  facekeyVersion ??= (JSON.parse(fs.readFileSync(path.join(projectRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  return facekeyVersion;
}
