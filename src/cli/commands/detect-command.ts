import type { CliCommand } from '../command.js';
import { readImageBytes } from '../../imaging/read-image-file.js';
import { parseImagesAndJson } from '../images-and-json.js';
import { withFaceService } from '../face-service-for-cli.js';
import { forEachImage } from '../for-each-image.js';

export const detectCommand: CliCommand = {
  name: 'detect',
  summary: 'find faces: boxes, head pose, quality, presentation-attack scores',
  usage: 'facekey detect <images…> [--json]',
  async run(argv, io) {
    const { files, json } = parseImagesAndJson(argv, 'detect needs at least one image');
    return withFaceService([], files.length, async (service) => {
      return await forEachImage(files, io, json, async (file) => {
        const result = await service.detect(await readImageBytes(file));
        return {
          json: { image: result.image, faces: result.faces, timings: result.timings },
          text: [
            `${file}: ${result.faces.length} face(s) in ${result.image.width}×${result.image.height} ${result.image.format}`,
            ...result.faces.map((f, i) => {
              const b = f.face.box;
              return `  #${i + 1} box ${Math.round(b.x)},${Math.round(b.y)} ${Math.round(b.width)}×${Math.round(b.height)}  score ${f.face.detectionScore.toFixed(2)}  yaw ${f.face.pose.yaw.toFixed(0)}° pitch ${f.face.pose.pitch.toFixed(0)}° roll ${f.face.pose.roll.toFixed(0)}°  quality ${f.quality.score.toFixed(2)}  antispoof ${f.presentation.scores.antispoof.toFixed(2)} liveness ${f.presentation.scores.liveness.toFixed(2)}`;
            }),
          ],
        };
      });
    });
  },
};
