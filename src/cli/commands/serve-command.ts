import { serverCommand } from '../server-command.js';
import { readServiceConfig } from '../../config/service-config.js';
import { startService } from '../../server/start-service.js';
import { engineIds } from '../../engines/engine-registry.js';

export const serveCommand = serverCommand({
  name: 'serve',
  summary:
    'run the HTTP service (PORT, FACEKEY_DATA_DIR, DATABASE_URL, FACEKEY_MASTER_KEY, FACEKEY_ENGINE, FACEKEY_WORKERS; what `npm start` does)',
  start: () => startService(readServiceConfig(process.env, { knownEngines: engineIds() })),
  listening: (url) => `facekey listening on ${url} — API docs at ${url}/docs`,
});
