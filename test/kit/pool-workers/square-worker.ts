import { threadId } from 'node:worker_threads';
import { serveWorker } from '../../../src/pool/worker-entry.js';

/** Test worker: squares numbers, blocks its thread for a while, sums transferred bytes. */
export interface SquareWorkerData {
  /** Simulated model loading time. */
  readonly initDelayMs?: number;
  /** Int32Array view over it: [0] heartbeats (every 5 ms while alive), [1] inits completed. */
  readonly counters?: SharedArrayBuffer;
}

export type SquareRequest =
  | { readonly op: 'square'; readonly n: number }
  /** Blocks the worker's thread (not just its event loop) for `ms`, then reports its thread. */
  | { readonly op: 'block'; readonly ms: number }
  /** Sums the bytes it received and hands back a new buffer by transfer. */
  | { readonly op: 'sum'; readonly bytes: ArrayBuffer };

export type SquareResponse =
  | { readonly square: number; readonly threadId: number }
  | { readonly threadId: number; readonly startedAt: number; readonly endedAt: number }
  | { readonly sum: number; readonly received: number; readonly echo: ArrayBuffer };

const sleeper = new Int32Array(new SharedArrayBuffer(4));

void serveWorker<SquareRequest, SquareResponse>(async (workerData) => {
  const data = (workerData ?? {}) as SquareWorkerData;
  await new Promise((resolve) => setTimeout(resolve, data.initDelayMs ?? 0));
  if (data.counters) {
    const counters = new Int32Array(data.counters);
    Atomics.add(counters, 1, 1);
    setInterval(() => Atomics.add(counters, 0, 1), 5);
  }
  return async (req) => {
    switch (req.op) {
      case 'square':
        return { result: { square: req.n * req.n, threadId } };
      case 'block': {
        const startedAt = Date.now();
        Atomics.wait(sleeper, 0, 0, req.ms);
        return { result: { threadId, startedAt, endedAt: Date.now() } };
      }
      case 'sum': {
        const bytes = new Uint8Array(req.bytes);
        const sum = bytes.reduce((a, b) => a + b, 0);
        const echo = new Uint8Array([1, 2, 3]).buffer;
        return { result: { sum, received: bytes.byteLength, echo }, transfer: [echo] };
      }
    }
  };
});
