import { parseArgs } from 'node:util';
import { InvalidArgument } from '../errors/domain-errors.js';
import { DEFAULT_ENGINE_ID } from '../engines/engine-registry.js';

export interface ImagesAndJson {
  /** The image files named on the command line, in order. */
  readonly files: string[];
  readonly json: boolean;
  /** Only when `--engine` is allowed: the engines named, in order (the default engine when none is). */
  readonly engines?: string[];
}

/**
 * The arguments of a command that reads one or more images and takes `--json` (detect, quality,
 * liveness, embed), and with `allowEngines` also `--engine ID`, repeatable (embed): at least one
 * file, else `whenNone` as the error.
 */
const JSON_ONLY = { json: { type: 'boolean', default: false } } as const;
const JSON_AND_ENGINES = { ...JSON_ONLY, engine: { type: 'string', multiple: true, default: [DEFAULT_ENGINE_ID] } } as const;

export function parseImagesAndJson(argv: string[], whenNone: string, { allowEngines = false } = {}): ImagesAndJson {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: allowEngines ? JSON_AND_ENGINES : JSON_ONLY });
  if (positionals.length === 0) throw new InvalidArgument(whenNone);
  // Present exactly when allowed: its default makes it so.
  const engines = (values as { engine?: string[] }).engine;
  return { files: positionals, json: values.json, ...(engines ? { engines } : {}) };
}
