import type { CliIo } from './command.js';
import { FacekeyError } from '../errors/domain-errors.js';

export interface ImageReport {
  readonly json: unknown;
  readonly text: string[];
}

/**
 * Runs `describe` on every image concurrently (the worker pool bounds the parallelism) and prints
 * reports in argument order. A bad image is reported on its own line and does not stop the others;
 * the exit status is 2 if any image failed.
 */
export async function forEachImage(
  files: readonly string[],
  io: CliIo,
  json: boolean,
  describe: (file: string) => Promise<ImageReport>,
): Promise<number> {
  const settled = await Promise.allSettled(files.map((file) => describe(file)));
  const reports: unknown[] = [];
  let failures = 0;
  settled.forEach((outcome, i) => {
    const file = files[i]!;
    if (outcome.status === 'fulfilled') {
      if (json) reports.push({ file, ...(outcome.value.json as object) });
      else outcome.value.text.forEach((line) => io.out(line));
      return;
    }
    failures++;
    const error = outcome.reason as unknown;
    if (!(error instanceof FacekeyError)) throw error;
    if (json) reports.push({ file, error: { code: error.code, message: error.message } });
    else io.err(`facekey: ${file}: ${error.code}: ${error.message}`);
  });
  if (json) io.out(JSON.stringify(files.length === 1 ? reports[0] : reports, null, 2));
  return failures > 0 ? 2 : 0;
}
