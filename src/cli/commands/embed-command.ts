import { parseArgs } from 'node:util';
import type { CliCommand } from '../command.js';
import { readImageBytes } from '../../imaging/read-image-file.js';
import { InvalidArgument } from '../../errors/domain-errors.js';
import { DEFAULT_ENGINE_ID } from '../../engines/engine-registry.js';
import { withFaceService } from '../face-service-for-cli.js';
import { forEachImage } from '../for-each-image.js';

export const embedCommand: CliCommand = {
  name: 'embed',
  summary: 'compute templates (base64 of the binary template format) for the largest face',
  usage: 'facekey embed <images…> [--engine ID]… [--json]',
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { engine: { type: 'string', multiple: true, default: [DEFAULT_ENGINE_ID] }, json: { type: 'boolean', default: false } },
    });
    if (positionals.length === 0) throw new InvalidArgument('embed needs at least one image');
    const engines = values.engine;
    return withFaceService(engines, positionals.length, async (service) => {
      return await forEachImage(positionals, io, values.json, async (file) => {
        const result = await service.process(await readImageBytes(file), { engines, multipleFaces: 'largest' });
        const templates = result.selected.templates.map((t) => ({
          engine: t.engine,
          engineVersion: t.engineVersion,
          template: Buffer.from(t.template).toString('base64'),
        }));
        return {
          json: {
            facesFound: result.facesFound,
            quality: {
              score: result.selected.quality.score,
              acceptable: result.selected.quality.acceptable,
              reasons: result.selected.quality.reasons,
            },
            presentation: result.selected.presentation,
            templates,
            timings: result.timings,
          },
          text: templates.map((t) => `${file}\t${t.engine}@${t.engineVersion}\t${t.template}`),
        };
      });
    });
  },
};
