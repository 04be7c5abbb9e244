import type { CliCommand } from '../command.js';
import { readServiceConfig } from '../../config/service-config.js';
import { startService } from '../../server/start-service.js';

export const serveCommand: CliCommand = {
  name: 'serve',
  summary: 'run the HTTP service (PORT, FACEKEY_DATA_DIR, DATABASE_URL, FACEKEY_MASTER_KEY; what `npm start` does)',
  usage: 'facekey serve',
  async run(_argv, io) {
    const service = await startService(readServiceConfig());
    io.err(`facekey listening on ${service.url} — API docs at ${service.url}/docs`);
    await new Promise<void>((resolve) => {
      const stop = (): void => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        void service.close().then(resolve);
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    return 0;
  },
};
