import type { CliCommand } from './command.js';
import type { FaceService } from '../pipeline/face-service.js';
import { readImageBytes } from '../imaging/read-image-file.js';
import { parseImagesAndJson } from './images-and-json.js';
import { withFaceService } from './face-service-for-cli.js';
import { forEachImage, type ImageReport } from './for-each-image.js';

export interface PerImageCommandSpec {
  readonly name: string;
  readonly summary: string;
  /** Takes `--engine ID`, repeatable (the default engine when absent); the pool starts with those engines. */
  readonly allowEngines?: boolean;
  describe(
    image: Uint8Array,
    context: { readonly service: FaceService; readonly file: string; readonly engines: string[] },
  ): Promise<ImageReport>;
}

/**
 * A command that reports on each image named (detect, quality, embed): the arguments and usage are
 * the same for all, one worker pool sized to the images serves them, and each image's report, or its
 * error, is printed in argument order (forEachImage).
 */
export function perImageCommand(spec: PerImageCommandSpec): CliCommand {
  const allowEngines = spec.allowEngines ?? false;
  return {
    name: spec.name,
    summary: spec.summary,
    usage: `facekey ${spec.name} <images…>${allowEngines ? ' [--engine ID]…' : ''} [--json]`,
    async run(argv, io) {
      const { files, json, engines = [] } = parseImagesAndJson(argv, `${spec.name} needs at least one image`, { allowEngines });
      return withFaceService(engines, files.length, (service) =>
        forEachImage(files, io, json, async (file) => spec.describe(await readImageBytes(file), { service, file, engines })),
      );
    },
  };
}
