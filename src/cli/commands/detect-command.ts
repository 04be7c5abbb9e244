import { perImageCommand } from '../per-image-command.js';

export const detectCommand = perImageCommand({
  name: 'detect',
  summary: 'find faces: boxes, head pose, quality, presentation-attack scores',
  async describe(image, { service, file }) {
    const result = await service.detect(image);
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
  },
});
