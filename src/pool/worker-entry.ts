import { parentPort, workerData, type TransferListItem } from 'node:worker_threads';

/**
 * The worker side of `WorkerPool`. A worker file is a module that calls `serveWorker` once:
 *
 *   serveWorker<Req, Res>(async (workerData) => {
 *     const model = await loadModel(workerData);          // once per worker, may take seconds
 *     return async (req) => ({ result: model.run(req) });  // once per task
 *   });
 *
 * Protocol (main ⇄ worker, structured clone):
 *   worker → main  { type: 'ready' }                        after init resolved
 *                  { type: 'init_error', error }            init threw; the pool terminates the worker
 *                  { type: 'result', id, ok: true, result } task succeeded (with its transfer list)
 *                  { type: 'result', id, ok: false, error } task handler threw
 *   main → worker  { id, req }                              one task at a time per worker
 */

/** What a task handler returns: the result and, optionally, buffers to move instead of copy. */
export interface TaskOutput<Res> {
  readonly result: Res;
  readonly transfer?: readonly TransferListItem[];
}

export type TaskHandler<Req, Res> = (req: Req) => Promise<TaskOutput<Res>> | TaskOutput<Res>;

/** Runs once per worker (load models here); resolves to the per-task handler. */
export type WorkerInit<Req, Res> = (workerData: unknown) => Promise<TaskHandler<Req, Res>> | TaskHandler<Req, Res>;

/** An error as it crosses the thread boundary; `WorkerPool` rebuilds FacekeyError subclasses by `name`. */
export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly code?: string;
  readonly details?: Record<string, unknown>;
  readonly stack?: string;
}

export interface TaskRequestMessage {
  readonly id: number;
  readonly req: unknown;
}

export type WorkerMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'init_error'; readonly error: SerializedError }
  | { readonly type: 'result'; readonly id: number; readonly ok: true; readonly result: unknown }
  | { readonly type: 'result'; readonly id: number; readonly ok: false; readonly error: SerializedError };

/**
 * Starts serving pool tasks in this worker thread: runs `init(workerData)`, posts `ready` (or the init
 * error), then answers each `{id, req}` with `{id, ok, result | error}`. Throws when called outside a
 * worker thread. The returned promise settles once init finished (it never rejects).
 */
export function serveWorker<Req, Res>(init: WorkerInit<Req, Res>): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('serveWorker() must be called inside a worker thread started by WorkerPool');

  return (async () => {
    let handler: TaskHandler<Req, Res>;
    try {
      handler = await init(workerData);
      if (typeof handler !== 'function') throw new TypeError('worker init must resolve to a task handler function');
    } catch (err) {
      port.postMessage({ type: 'init_error', error: serializeError(err) } satisfies WorkerMessage);
      return;
    }

    port.on('message', (message: TaskRequestMessage) => {
      void handleTask(handler, message).then(({ reply, transfer }) => {
        try {
          port.postMessage(reply, transfer);
        } catch (err) {
          // The result could not be cloned/transferred (a function, a detached buffer, …).
          port.postMessage({ type: 'result', id: message.id, ok: false, error: serializeError(err) } satisfies WorkerMessage);
        }
      });
    });
    port.postMessage({ type: 'ready' } satisfies WorkerMessage);
  })();
}

async function handleTask<Req, Res>(
  handler: TaskHandler<Req, Res>,
  message: TaskRequestMessage,
): Promise<{ reply: WorkerMessage; transfer: readonly TransferListItem[] }> {
  try {
    const output = await handler(message.req as Req);
    return { reply: { type: 'result', id: message.id, ok: true, result: output.result }, transfer: output.transfer ?? [] };
  } catch (err) {
    return { reply: { type: 'result', id: message.id, ok: false, error: serializeError(err) }, transfer: [] };
  }
}

/** `{name, code, message, details, stack}` of any thrown value; details are dropped if they cannot be cloned. */
export function serializeError(err: unknown): SerializedError {
  if (!(err instanceof Error)) return { name: 'Error', message: String(err) };
  const code = (err as { code?: unknown }).code;
  const details = (err as { details?: unknown }).details;
  return {
    name: err.name,
    message: err.message,
    ...(typeof code === 'string' ? { code } : {}),
    ...(isRecord(details) ? { details: cloneableOrEmpty(details) } : {}),
    ...(err.stack !== undefined ? { stack: err.stack } : {}),
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function cloneableOrEmpty(details: Record<string, unknown>): Record<string, unknown> {
  try {
    return structuredClone(details);
  } catch {
    return {};
  }
}
