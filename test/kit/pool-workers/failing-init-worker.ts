import { NotCalibrated } from '../../../src/errors/domain-errors.js';
import { serveWorker } from '../../../src/pool/worker-entry.js';

/** Test worker whose init fails: `mode: 'throw'` rejects with a typed error, `mode: 'exit'` kills the thread. */
export interface FailingInitData {
  readonly mode: 'throw' | 'exit';
}

void serveWorker<unknown, unknown>(async (workerData) => {
  const { mode } = workerData as FailingInitData;
  await new Promise((resolve) => setTimeout(resolve, 20));
  if (mode === 'exit') process.exit(7);
  throw new NotCalibrated('model weights missing', { model: 'antispoof' });
});
