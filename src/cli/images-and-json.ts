import { parseArgs } from 'node:util';
import { InvalidArgument } from '../errors/domain-errors.js';

export interface ImagesAndJson {
  /** The image files named on the command line, in order. */
  readonly files: string[];
  readonly json: boolean;
}

/**
 * The arguments of a command that reads one or more images and takes only `--json`
 * (detect, quality, liveness): at least one file, else `whenNone` as the error.
 */
export function parseImagesAndJson(argv: string[], whenNone: string): ImagesAndJson {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { json: { type: 'boolean', default: false } },
  });
  if (positionals.length === 0) throw new InvalidArgument(whenNone);
  return { files: positionals, json: values.json };
}
