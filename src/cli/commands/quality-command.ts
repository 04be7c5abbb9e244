import type { CliCommand } from '../command.js';
import { readImageBytes } from '../../imaging/read-image-file.js';
import { parseImagesAndJson } from '../images-and-json.js';
import { withFaceService } from '../face-service-for-cli.js';
import { forEachImage } from '../for-each-image.js';

export const qualityCommand: CliCommand = {
  name: 'quality',
  summary: 'quality of the largest face in each image, with the reasons a capture would be refused',
  usage: 'facekey quality <images…> [--json]',
  async run(argv, io) {
    const { files, json } = parseImagesAndJson(argv, 'quality needs at least one image');
    return withFaceService([], files.length, async (service) => {
      return await forEachImage(files, io, json, async (file) => {
        const result = await service.process(await readImageBytes(file), { engines: [], multipleFaces: 'largest' });
        const { quality, presentation } = result.selected;
        return {
          json: { facesFound: result.facesFound, quality, presentation },
          text: [
            `${file}: quality ${quality.score.toFixed(2)} ${quality.acceptable ? 'acceptable' : 'REFUSED'}; presentation ${presentation.passed ? 'passed' : 'FAILED'} (antispoof ${presentation.scores.antispoof.toFixed(2)}, liveness ${presentation.scores.liveness.toFixed(2)})`,
            ...quality.reasons.map((r) => `  - ${r.message}`),
            ...presentation.reasons.map((r) => `  - ${r}`),
          ],
        };
      });
    });
  },
};
