import fs from 'node:fs';
import path from 'node:path';
import { humanDistDir } from './package-paths.js';

let humanVersion: string | undefined;

/** The installed Human version; it is part of template versions of engines built on Human models. */
export function humanPackageVersion(): string {
  humanVersion ??= (JSON.parse(fs.readFileSync(path.join(humanDistDir(), '..', 'package.json'), 'utf8')) as { version: string }).version;
  return humanVersion;
}
