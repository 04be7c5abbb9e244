import { perImageCommand } from '../per-image-command.js';

export const embedCommand = perImageCommand({
  name: 'embed',
  summary: 'compute templates (base64 of the binary template format) for the largest face',
  allowEngines: true,
  async describe(image, { service, file, engines }) {
    const result = await service.process(image, { engines, multipleFaces: 'largest' });
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
  },
});
