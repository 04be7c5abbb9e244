import { parseArgs } from 'node:util';
import type { CliCommand } from '../command.js';
import { DEFAULT_ENGINE_ID } from '../../engines/engine-registry.js';
import { readImageBytes } from '../../imaging/read-image-file.js';
import { decodeTemplate } from '../../templates/template-codec.js';
import { cosineSimilarity } from '../../matcher/similarity.js';
import { Calibration } from '../../matcher/calibration/calibration-table.js';
import { decide } from '../../matcher/decide.js';
import { InvalidArgument } from '../../errors/domain-errors.js';
import { withFaceService } from '../face-service-for-cli.js';
import { parseTargetFmr, DEFAULT_TARGET_FMR } from '../target-fmr.js';

export const compareCommand: CliCommand = {
  name: 'compare',
  summary: 'compare the faces in two images (1:1)',
  usage: 'facekey compare <imageA> <imageB> [--engine ID] [--target-fmr 1e-5] [--json]',
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        engine: { type: 'string', default: DEFAULT_ENGINE_ID },
        'target-fmr': { type: 'string', default: String(DEFAULT_TARGET_FMR) },
        json: { type: 'boolean', default: false },
      },
    });
    if (positionals.length !== 2) throw new InvalidArgument(`compare takes exactly two images, got ${positionals.length}`);
    const targetFmr = parseTargetFmr(values['target-fmr']);
    const engineId = values.engine;
    const images = await Promise.all(positionals.map((file) => readImageBytes(file)));
    return withFaceService([engineId], 2, async (service) => {
      const [a, b] = await Promise.all(images.map((image) => service.process(image, { engines: [engineId], multipleFaces: 'largest' })));
      const left = decodeTemplate(a!.selected.templates[0]!.template);
      const right = decodeTemplate(b!.selected.templates[0]!.template);
      const score = cosineSimilarity(left, right);
      const decision = decide(score, { id: left.engineId, version: left.engineVersion }, targetFmr, Calibration.load());
      const result = {
        ...decision,
        faces: [a!, b!].map((r) => ({
          facesFound: r.facesFound,
          quality: { score: r.selected.quality.score, acceptable: r.selected.quality.acceptable },
          presentation: { passed: r.selected.presentation.passed, ...r.selected.presentation.scores },
        })),
      };
      if (values.json) io.out(JSON.stringify(result, null, 2));
      else {
        io.out(
          `${result.match ? 'MATCH' : 'NO MATCH'}  score ${score.toFixed(4)}  threshold ${decision.threshold.toFixed(4)} (target FMR ${targetFmr}, ${decision.thresholdMethod})  engine ${left.engineId} ${left.engineVersion}`,
        );
      }
      return 0;
    });
  },
};
