import { perImageCommand } from '../per-image-command.js';

export const qualityCommand = perImageCommand({
  name: 'quality',
  summary: 'quality of the largest face in each image, with the reasons a capture would be refused',
  async describe(image, { service, file }) {
    const result = await service.process(image, { engines: [], multipleFaces: 'largest' });
    const { quality, presentation } = result.selected;
    return {
      json: { facesFound: result.facesFound, quality, presentation },
      text: [
        `${file}: quality ${quality.score.toFixed(2)} ${quality.acceptable ? 'acceptable' : 'REFUSED'}; presentation ${presentation.passed ? 'passed' : 'FAILED'} (antispoof ${presentation.scores.antispoof.toFixed(2)}, liveness ${presentation.scores.liveness.toFixed(2)})`,
        ...quality.reasons.map((r) => `  - ${r.message}`),
        ...presentation.reasons.map((r) => `  - ${r}`),
      ],
    };
  },
});
