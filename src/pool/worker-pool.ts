import os from 'node:os';
import path from 'node:path';
import { Worker, type TransferListItem } from 'node:worker_threads';
import * as domainErrors from '../errors/domain-errors.js';
import { FacekeyError, InvalidArgument, Overloaded } from '../errors/domain-errors.js';
import type { SerializedError, TaskRequestMessage, WorkerMessage } from './worker-entry.js';

/**
 * A fixed-size pool of worker threads, each of which loads its models once (`serveWorker` in
 * `worker-entry.ts`) and then runs one task at a time.
 *
 * - `start()` resolves once every worker reported `ready`; it rejects with the first worker's init
 *   error (rebuilt as its FacekeyError class when it is one) and then tears the pool down. `run()` before
 *   `start()` starts the pool implicitly.
 * - Back-pressure: at most `size + maxQueue` tasks are accepted (running + waiting); beyond that `run()`
 *   rejects at once with `Overloaded`, so memory stays bounded under load.
 * - A worker that dies (uncaught exception, `process.exit`, OOM, task timeout) fails its in-flight task
 *   with `WorkerCrashed` / `TaskTimedOut` and is replaced by a fresh worker; queued tasks carry on.
 *   If a replacement fails its own init the slot is given up; once no worker is left the queued and
 *   future tasks are rejected with that init error.
 * - Errors thrown by a task handler come back as the same class when they are FacekeyError subclasses
 *   exported by `domain-errors.ts`; anything else comes back as a plain `Error` with the same message
 *   (and the worker's stack).
 *
 * Worker URLs: in production (tsc output in dist/) the worker is a `.js` file; under `node --import tsx`
 * (tests, dev) it is the `.ts` source. Build the URL with `siblingModuleUrl(import.meta.url, 'x-worker')`
 * so it has the same extension as the calling module. `.ts` workers are started through a tiny bootstrap
 * that registers tsx inside the worker when needed: on Node 20 tsx's `--import` hooks are only installed
 * in the main thread, so a `.ts` worker would otherwise fail with ERR_UNKNOWN_FILE_EXTENSION even though
 * workers inherit `process.execArgv`.
 */

export interface WorkerPoolOptions {
  /** The worker module (it calls `serveWorker`); see `siblingModuleUrl`. */
  readonly workerUrl: URL;
  /** Worker threads; defaults to `os.availableParallelism()`. */
  readonly size?: number;
  /** Tasks allowed to wait beyond the `size` running ones; defaults to `size * 8`. */
  readonly maxQueue?: number;
  /** Passed (structured-cloned) to every worker's init. */
  readonly workerData?: unknown;
  /** A task running longer than this (from dispatch to a worker) fails with `TaskTimedOut`; its worker is replaced. */
  readonly taskTimeoutMs?: number;
  /** How long `close()` lets accepted tasks finish before rejecting the rest; defaults to 10 s. */
  readonly drainTimeoutMs?: number;
}

export interface WorkerPoolStats {
  /** Configured number of workers. */
  readonly size: number;
  /** Workers that finished init and are alive. */
  readonly ready: number;
  /** Tasks running in a worker. */
  readonly busy: number;
  /** Tasks accepted and waiting for a worker. */
  readonly queued: number;
  /** Tasks that resolved. */
  readonly completed: number;
  /** Accepted tasks that rejected (handler error, crash, timeout, pool closed). */
  readonly failed: number;
  /** `run()` calls refused with `Overloaded`. */
  readonly rejected: number;
  /** Workers started to replace a dead one. */
  readonly restarts: number;
}

/** The worker running a task died (uncaught exception, `process.exit`, out of memory). */
export class WorkerCrashed extends FacekeyError {
  readonly code = 'worker_crashed';
  readonly status = 500;
}

/** A task exceeded `taskTimeoutMs`; its worker was terminated and replaced. */
export class TaskTimedOut extends FacekeyError {
  readonly code = 'task_timed_out';
  readonly status = 503;
}

/** The pool was closed before or while the task ran. */
export class PoolClosed extends FacekeyError {
  readonly code = 'pool_closed';
  readonly status = 503;
}

type ErrorClass = new (message: string, details?: Record<string, unknown>) => FacekeyError;

/** Concrete FacekeyError subclasses exported by domain-errors.ts (and this module's own), by class name. */
const ERROR_CLASSES: ReadonlyMap<string, ErrorClass> = new Map(
  Object.entries({ ...domainErrors, WorkerCrashed, TaskTimedOut, PoolClosed })
    .filter(([, value]) => typeof value === 'function' && value !== FacekeyError && value.prototype instanceof FacekeyError)
    .map(([name, value]) => [name, value as unknown as ErrorClass]),
);

/** Rebuilds an error that crossed the thread boundary (see `serializeError` in worker-entry.ts). */
export function deserializeError(serialized: SerializedError): Error {
  const ErrorClass = ERROR_CLASSES.get(serialized.name);
  const error = ErrorClass ? new ErrorClass(serialized.message, serialized.details ?? {}) : new Error(serialized.message);
  if (serialized.stack !== undefined) error.stack = serialized.stack;
  return error;
}

/**
 * URL of a module next to the caller, with the caller's own extension: `.ts` when running the sources
 * under tsx, `.js` when running tsc's output. `baseName` is a path relative to the caller without an
 * extension (a trailing `.js`/`.ts`/… is replaced).
 *
 *   new WorkerPool({ workerUrl: siblingModuleUrl(import.meta.url, 'pipeline-worker') })
 */
export function siblingModuleUrl(importMetaUrl: string, baseName: string): URL {
  const ext = path.posix.extname(new URL(importMetaUrl).pathname);
  if (!MODULE_EXTENSIONS.has(ext)) {
    throw new InvalidArgument(`cannot derive a module extension from ${importMetaUrl}`, { importMetaUrl });
  }
  const stem = baseName.replace(/\.(?:[cm]?[jt]s)$/, '');
  return new URL(`${stem}${ext}`, importMetaUrl);
}

const MODULE_EXTENSIONS = new Set(['.js', '.mjs', '.cjs', '.ts', '.mts', '.cts']);
const TYPESCRIPT_MODULE = /\.[cm]?ts$/;

interface Task {
  readonly id: number;
  readonly req: unknown;
  readonly transfer: readonly TransferListItem[];
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
}

interface Slot {
  readonly worker: Worker;
  state: 'starting' | 'idle' | 'busy' | 'stopping';
  task: Task | null;
  timer: NodeJS.Timeout | null;
  /** The uncaught error the worker reported before exiting, if any. */
  crashError: Error | null;
  /** Settles when the worker is ready (resolve) or failed to become ready (reject). */
  readonly ready: Promise<void>;
  readonly settleReady: (error?: Error) => void;
}

export class WorkerPool<Req, Res> {
  readonly #workerUrl: URL;
  readonly #size: number;
  readonly #maxQueue: number;
  readonly #workerData: unknown;
  readonly #taskTimeoutMs: number | undefined;
  readonly #drainTimeoutMs: number;
  /** Set while close() waits for accepted tasks; called once none is left. */
  #onIdle: (() => void) | null = null;

  readonly #slots = new Set<Slot>();
  readonly #queue: Task[] = [];
  #nextTaskId = 1;
  #started: Promise<void> | null = null;
  #closed: Promise<void> | null = null;
  /** Set when the pool cannot serve any more (start failed, every worker gone); tasks reject with it. */
  #broken: Error | null = null;
  #stats = { completed: 0, failed: 0, rejected: 0, restarts: 0 };

  constructor(options: WorkerPoolOptions) {
    const size = options.size ?? os.availableParallelism();
    if (!Number.isInteger(size) || size < 1) throw new InvalidArgument(`pool size must be a positive integer; got ${size}`, { size });
    const maxQueue = options.maxQueue ?? size * 8;
    if (!Number.isInteger(maxQueue) || maxQueue < 0) {
      throw new InvalidArgument(`maxQueue must be a non-negative integer; got ${maxQueue}`, { maxQueue });
    }
    const timeout = options.taskTimeoutMs;
    if (timeout !== undefined && !(timeout > 0))
      throw new InvalidArgument(`taskTimeoutMs must be positive; got ${timeout}`, { taskTimeoutMs: timeout });
    this.#workerUrl = options.workerUrl;
    this.#size = size;
    this.#maxQueue = maxQueue;
    this.#workerData = options.workerData;
    this.#taskTimeoutMs = timeout;
    const drain = options.drainTimeoutMs ?? 10_000;
    if (!(drain >= 0)) throw new InvalidArgument(`drainTimeoutMs must not be negative; got ${drain}`, { drainTimeoutMs: drain });
    this.#drainTimeoutMs = drain;
  }

  /** Spawns the workers; resolves when all of them loaded their models. Idempotent. */
  start(): Promise<void> {
    if (this.#closed) return Promise.reject(new PoolClosed('worker pool is closed'));
    this.#started ??= (async () => {
      const slots = Array.from({ length: this.#size }, () => this.#spawn());
      try {
        await Promise.all(slots.map((slot) => slot.ready));
      } catch (err) {
        const error = err instanceof Error ? err : new Error(String(err));
        this.#breakPool(error);
        await this.#terminateAll();
        throw error;
      }
    })();
    return this.#started;
  }

  /** Runs one task on the next free worker. Rejects at once with `Overloaded` when the pool is full. */
  run(req: Req, transfer: readonly TransferListItem[] = []): Promise<Res> {
    if (this.#closed) return Promise.reject(new PoolClosed('worker pool is closed'));
    if (this.#broken) return Promise.reject(this.#broken);
    const inFlight = this.#busyCount() + this.#queue.length;
    if (inFlight >= this.#size + this.#maxQueue) {
      this.#stats.rejected += 1;
      return Promise.reject(new Overloaded('all workers are busy and the queue is full', { size: this.#size, maxQueue: this.#maxQueue }));
    }
    if (!this.#started) this.start().catch(() => {}); // failures reach the task through #breakPool
    return new Promise<Res>((resolve, reject) => {
      this.#queue.push({ id: this.#nextTaskId++, req, transfer, resolve: resolve as (value: unknown) => void, reject });
      this.#dispatch();
    });
  }

  stats(): WorkerPoolStats {
    let ready = 0;
    for (const slot of this.#slots) if (slot.state === 'idle' || slot.state === 'busy') ready += 1;
    return { size: this.#size, ready, busy: this.#busyCount(), queued: this.#queue.length, ...this.#stats };
  }

  /**
   * Refuses new tasks at once (`PoolClosed`), lets the accepted ones — running and queued — finish for
   * up to `drainTimeoutMs` (the pool's, unless given here), then rejects whatever is left with
   * `PoolClosed` and terminates every worker. Draining is what lets a service shut down without
   * failing requests in flight: the HTTP server's close waits for open connections, not for handlers
   * whose client has already gone, so those still reach the pool after it. Idempotent.
   */
  close(options: { drainTimeoutMs?: number } = {}): Promise<void> {
    this.#closed ??= (async () => {
      await this.#drain(options.drainTimeoutMs ?? this.#drainTimeoutMs);
      const error = new PoolClosed('worker pool is closed');
      for (const task of this.#queue.splice(0)) this.#fail(task, error);
      for (const slot of this.#slots) {
        if (slot.task) this.#fail(slot.task, error);
        slot.task = null;
      }
      await this.#terminateAll();
    })();
    return this.#closed;
  }

  async #drain(timeoutMs: number): Promise<void> {
    if (timeoutMs <= 0 || this.#broken || this.#pendingCount() === 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.#onIdle = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.#onIdle = null;
  }

  #pendingCount(): number {
    return this.#busyCount() + this.#queue.length;
  }

  #busyCount(): number {
    let busy = 0;
    for (const slot of this.#slots) if (slot.task) busy += 1;
    return busy;
  }

  #spawn(): Slot {
    const worker = createWorker(this.#workerUrl, this.#workerData);
    let settleReady!: (error?: Error) => void;
    const ready = new Promise<void>((resolve, reject) => {
      let settled = false;
      settleReady = (error) => {
        if (settled) return;
        settled = true;
        if (error) reject(error);
        else resolve();
      };
    });
    ready.catch(() => {}); // observed by start() or by #onExit
    const slot: Slot = { worker, state: 'starting', task: null, timer: null, crashError: null, ready, settleReady };
    this.#slots.add(slot);

    worker.on('message', (message: WorkerMessage) => this.#onMessage(slot, message));
    worker.on('messageerror', (error) => {
      // A reply that could not be deserialized: its task fails, the worker itself is fine.
      if (slot.state !== 'busy') return;
      this.#finishTask(slot, (task) => this.#fail(task, error));
      slot.state = 'idle';
      this.#dispatch();
    });
    worker.on('error', (error) => {
      slot.crashError = error;
    });
    worker.on('exit', (exitCode) => this.#onExit(slot, exitCode));
    return slot;
  }

  #onMessage(slot: Slot, message: WorkerMessage): void {
    if (slot.state === 'stopping') return;
    switch (message.type) {
      case 'ready':
        slot.state = 'idle';
        slot.settleReady();
        this.#dispatch();
        return;
      case 'init_error': {
        const error = deserializeError(message.error);
        slot.settleReady(error);
        this.#retire(slot);
        if (!this.#closed) this.#onStartFailure(error);
        return;
      }
      case 'result':
        if (slot.task?.id !== message.id) return;
        this.#finishTask(slot, (task) => {
          if (message.ok) {
            this.#stats.completed += 1;
            task.resolve(message.result);
          } else {
            this.#fail(task, deserializeError(message.error));
          }
        });
        slot.state = 'idle';
        this.#dispatch();
        return;
    }
  }

  #onExit(slot: Slot, exitCode: number): void {
    this.#slots.delete(slot);
    const wasStarting = slot.state === 'starting';
    const deliberate = slot.state === 'stopping';
    const crash = slot.crashError;
    const startError = crash ?? new WorkerCrashed(`worker exited with code ${exitCode} before it was ready`, { exitCode });
    slot.settleReady(startError);
    this.#finishTask(slot, (task) => {
      const reason = crash ? `: ${crash.message}` : ` with code ${exitCode}`;
      this.#fail(task, new WorkerCrashed(`worker died while running the task${reason}`, { exitCode }));
    });
    if (deliberate || this.#closed || this.#broken) return;
    if (wasStarting) {
      this.#onStartFailure(startError);
      return;
    }
    this.#stats.restarts += 1;
    this.#spawn();
  }

  /**
   * A worker that never became ready. During `start()` that rejects start(); a replacement that cannot
   * init is given up rather than respawned in a loop, and once no worker is left the pool is broken.
   */
  #onStartFailure(error: Error): void {
    if (this.#slots.size === 0) this.#breakPool(error);
  }

  /** Clears the slot's task and timer and hands the task to `settle`. */
  #finishTask(slot: Slot, settle: (task: Task) => void): void {
    const task = slot.task;
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = null;
    slot.task = null;
    if (task) settle(task);
    if (this.#onIdle && this.#pendingCount() === 0) this.#onIdle();
  }

  #fail(task: Task, error: Error): void {
    this.#stats.failed += 1;
    task.reject(error);
  }

  #dispatch(): void {
    for (const slot of this.#slots) {
      if (this.#queue.length === 0) return;
      if (slot.state !== 'idle') continue;
      const task = this.#queue.shift()!;
      slot.state = 'busy';
      slot.task = task;
      try {
        slot.worker.postMessage({ id: task.id, req: task.req } satisfies TaskRequestMessage, task.transfer);
      } catch (err) {
        // The request could not be cloned; the worker never saw it and stays usable.
        slot.task = null;
        slot.state = 'idle';
        this.#fail(task, err instanceof Error ? err : new Error(String(err)));
        continue;
      }
      if (this.#taskTimeoutMs !== undefined) {
        const timeoutMs = this.#taskTimeoutMs;
        slot.timer = setTimeout(() => {
          this.#finishTask(slot, (t) => this.#fail(t, new TaskTimedOut(`task did not finish within ${timeoutMs} ms`, { timeoutMs })));
          this.#retire(slot);
          this.#stats.restarts += 1;
          this.#spawn();
          this.#dispatch();
        }, timeoutMs);
      }
    }
  }

  /** Terminates a worker whose exit must not trigger the crash/replace logic. */
  #retire(slot: Slot): void {
    slot.state = 'stopping';
    this.#slots.delete(slot);
    void slot.worker.terminate();
  }

  #breakPool(error: Error): void {
    if (this.#broken) return;
    this.#broken = error;
    for (const task of this.#queue.splice(0)) this.#fail(task, error);
    if (this.#onIdle && this.#pendingCount() === 0) this.#onIdle();
  }

  async #terminateAll(): Promise<void> {
    const slots = [...this.#slots];
    for (const slot of slots) {
      slot.state = 'stopping';
      if (slot.timer) clearTimeout(slot.timer);
      slot.timer = null;
      slot.settleReady(new PoolClosed('worker pool is closed'));
    }
    this.#slots.clear();
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
  }
}

/** A `.js` worker starts directly; a `.ts` one through a bootstrap that makes sure a TS loader is active. */
function createWorker(workerUrl: URL, workerData: unknown): Worker {
  if (!TYPESCRIPT_MODULE.test(workerUrl.pathname)) return new Worker(workerUrl, { workerData });
  return new Worker(typescriptBootstrap(workerUrl), { eval: true, workerData });
}

/**
 * CommonJS source run in the worker: probe whether this thread can already import TypeScript (Node ≥ 22.22
 * with tsx, or a runtime with native type stripping) by importing the side-effect-free `worker-entry`
 * module under a private query; if not, register tsx's ESM hooks in the thread, then import the worker.
 * (A failed import is cached per URL, hence the probe rather than a retry of the worker module itself.)
 */
function typescriptBootstrap(workerUrl: URL): string {
  const probeUrl = siblingModuleUrl(import.meta.url, 'worker-entry');
  probeUrl.search = 'facekey-typescript-probe';
  let tsxApiUrl: string | null = null;
  try {
    tsxApiUrl = import.meta.resolve('tsx/esm/api');
  } catch {
    tsxApiUrl = null; // not installed: the probe's error surfaces instead
  }
  return `
(async () => {
  try {
    await import(${JSON.stringify(probeUrl.href)});
  } catch (error) {
    if (!error || error.code !== 'ERR_UNKNOWN_FILE_EXTENSION' || ${JSON.stringify(tsxApiUrl)} === null) throw error;
    const tsx = await import(${JSON.stringify(tsxApiUrl)});
    tsx.register();
  }
  await import(${JSON.stringify(workerUrl.href)});
})().catch((error) => process.nextTick(() => { throw error; }));
`;
}
