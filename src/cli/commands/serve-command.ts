import type { CliCommand } from '../command.js';
import { closeOnStopSignal } from '../close-on-stop-signal.js';
import { readServiceConfig } from '../../config/service-config.js';
import { startService } from '../../server/start-service.js';
import { engineIds } from '../../engines/engine-registry.js';

export const serveCommand: CliCommand = {
  name: 'serve',
  summary:
    'run the HTTP service (PORT, FACEKEY_DATA_DIR, DATABASE_URL, FACEKEY_MASTER_KEY, FACEKEY_ENGINE, FACEKEY_WORKERS; what `npm start` does)',
  usage: 'facekey serve',
  async run(_argv, io) {
    const service = await startService(readServiceConfig(process.env, { knownEngines: engineIds() }));
    io.err(`facekey listening on ${service.url} — API docs at ${service.url}/docs`);
    await closeOnStopSignal(() => service.close());
    return 0;
  },
};
