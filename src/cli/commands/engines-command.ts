import type { CliCommand } from '../command.js';
import { listEngines } from '../../engines/engine-registry.js';

export const enginesCommand: CliCommand = {
  name: 'engines',
  summary: 'list the registered face engines with the provenance of their weights',
  usage: 'facekey engines [--json]',
  async run(argv, io) {
    const engines = listEngines();
    if (argv.includes('--json')) {
      io.out(JSON.stringify(engines, null, 2));
      return 0;
    }
    for (const e of engines) {
      const p = e.provenance;
      io.out(`${e.id}${e.default ? ' (default)' : ''}\tversion ${e.version}\t${e.dimension}-d ${e.dtype} ${e.metric}\t${e.origin}`);
      io.out(`  package: ${p.package ? `${p.package.name}@${p.package.version} (${p.package.licence})` : 'none'}`);
      io.out(`  weights: ${p.weights}`);
      io.out(`  training data: ${p.trainingData}`);
      io.out(`  terms: ${p.terms}: ${p.termsNote}`);
    }
    return 0;
  },
};
