import { threadId } from 'node:worker_threads';
import { serveWorker } from '../../../src/pool/worker-entry.js';

/** Test worker that dies mid-task on request. */
export type CrashRequest =
  | { readonly op: 'ping' }
  /** `process.exit` from inside the task handler. */
  | { readonly op: 'exit'; readonly code: number }
  /** An exception thrown outside the handler's promise (uncaught in the worker). */
  | { readonly op: 'uncaught' }
  /** Never finishes (for task timeouts). */
  | { readonly op: 'hang' };

export interface CrashResponse {
  readonly threadId: number;
}

void serveWorker<CrashRequest, CrashResponse>(async () => async (req) => {
  switch (req.op) {
    case 'ping':
      return { result: { threadId } };
    case 'exit':
      return process.exit(req.code);
    case 'uncaught':
      setImmediate(() => {
        throw new Error('boom outside the handler');
      });
      return new Promise<never>(() => {});
    case 'hang':
      return new Promise<never>(() => {});
  }
});
