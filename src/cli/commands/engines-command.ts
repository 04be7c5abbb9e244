import type { CliCommand } from '../command.js';
import { createEngine, DEFAULT_ENGINE_ID, engineIds } from '../../engines/engine-registry.js';

export const enginesCommand: CliCommand = {
  name: 'engines',
  summary: 'list the registered face engines',
  usage: 'facekey engines [--json]',
  async run(argv, io) {
    const engines = engineIds().map((id) => {
      const { version, dimension, dtype, metric } = createEngine(id);
      return { id, version, dimension, dtype, metric, default: id === DEFAULT_ENGINE_ID };
    });
    if (argv.includes('--json')) io.out(JSON.stringify(engines, null, 2));
    else
      for (const e of engines)
        io.out(`${e.id}${e.default ? ' (default)' : ''}\tversion ${e.version}\t${e.dimension}-d ${e.dtype} ${e.metric}`);
    return 0;
  },
};
