import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import ts from 'typescript';
import { FaceNotFound, FacekeyError, NotCalibrated, Overloaded } from '../errors/domain-errors.js';
import type { CrashRequest, CrashResponse } from '../../test/kit/pool-workers/crashing-worker.js';
import type { FailingInitData } from '../../test/kit/pool-workers/failing-init-worker.js';
import type { SquareRequest, SquareResponse, SquareWorkerData } from '../../test/kit/pool-workers/square-worker.js';
import type { ThrowRequest } from '../../test/kit/pool-workers/throwing-worker.js';
import { PoolClosed, TaskTimedOut, WorkerCrashed, WorkerPool, siblingModuleUrl } from './worker-pool.js';

const fixture = (name: string): URL => siblingModuleUrl(import.meta.url, `../../test/kit/pool-workers/${name}`);

type Square = { square: number; threadId: number };
type Block = { threadId: number; startedAt: number; endedAt: number };

function squarePool(
  options: { size?: number; maxQueue?: number; workerData?: SquareWorkerData; taskTimeoutMs?: number; drainTimeoutMs?: number } = {},
) {
  return new WorkerPool<SquareRequest, SquareResponse>({ workerUrl: fixture('square-worker'), ...options });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('siblingModuleUrl keeps the caller module extension', () => {
  assert.equal(siblingModuleUrl('file:///app/src/pool/a.ts', 'b-worker').href, 'file:///app/src/pool/b-worker.ts');
  assert.equal(siblingModuleUrl('file:///app/dist/src/pool/a.js', 'b-worker').href, 'file:///app/dist/src/pool/b-worker.js');
  assert.equal(siblingModuleUrl('file:///app/dist/src/pool/a.js', './b-worker.ts').href, 'file:///app/dist/src/pool/b-worker.js');
  assert.equal(siblingModuleUrl('file:///app/src/pool/a.ts', '../pipeline/p-worker.js').href, 'file:///app/src/pipeline/p-worker.ts');
  assert.equal(siblingModuleUrl('file:///app/src/x.mts', 'y').href, 'file:///app/src/y.mts');
  assert.throws(() => siblingModuleUrl('file:///app/src/no-extension', 'y'), { code: 'invalid_argument' });
  // This very test runs from its .ts source under tsx, so its fixtures resolve to .ts files.
  assert.match(fixture('square-worker').pathname, /\/test\/kit\/pool-workers\/square-worker\.ts$/);
});

test('a .ts worker runs under tsx: start() waits for every worker to load, results are correct', async () => {
  const counters = new SharedArrayBuffer(8);
  const pool = squarePool({ size: 3, workerData: { initDelayMs: 150, counters } });
  try {
    const before = Date.now();
    await pool.start();
    assert.ok(Date.now() - before >= 140, 'start() resolved before the workers finished loading');
    assert.equal(Atomics.load(new Int32Array(counters), 1), 3, 'each worker ran init once');
    assert.deepEqual(pool.stats(), { size: 3, ready: 3, busy: 0, queued: 0, completed: 0, failed: 0, rejected: 0, restarts: 0 });

    const results = (await Promise.all(Array.from({ length: 20 }, (_, n) => pool.run({ op: 'square', n })))) as Square[];
    assert.deepEqual(
      results.map((r) => r.square),
      Array.from({ length: 20 }, (_, n) => n * n),
    );
    assert.ok(new Set(results.map((r) => r.threadId)).size >= 2, 'tasks were spread over several workers');
    assert.equal(Atomics.load(new Int32Array(counters), 1), 3, 'tasks do not re-run init');
    const stats = pool.stats();
    assert.equal(stats.completed, 20);
    assert.equal(stats.busy + stats.queued + stats.failed, 0);
  } finally {
    await pool.close();
  }
});

test('two workers run two blocking 200 ms tasks in parallel (~200 ms, not 400 ms)', async () => {
  const pool = squarePool({ size: 2 });
  try {
    await pool.start();
    const t0 = performance.now();
    const [a, b] = (await Promise.all([pool.run({ op: 'block', ms: 200 }), pool.run({ op: 'block', ms: 200 })])) as Block[];
    const elapsed = performance.now() - t0;
    assert.ok(elapsed >= 190, `tasks really blocked (${elapsed.toFixed(0)} ms)`);
    assert.ok(elapsed < 350, `expected parallel execution, took ${elapsed.toFixed(0)} ms`);
    assert.notEqual(a!.threadId, b!.threadId);
    assert.ok(a!.startedAt < b!.endedAt && b!.startedAt < a!.endedAt, 'the two tasks overlapped in time');
  } finally {
    await pool.close();
  }
});

test('run() rejects at once with Overloaded when running + queued tasks would exceed size + maxQueue', async () => {
  const pool = squarePool({ size: 1, maxQueue: 2 });
  try {
    await pool.start();
    const accepted = [pool.run({ op: 'block', ms: 150 }), pool.run({ op: 'square', n: 2 }), pool.run({ op: 'square', n: 3 })];
    assert.deepEqual({ busy: pool.stats().busy, queued: pool.stats().queued }, { busy: 1, queued: 2 });

    const t0 = performance.now();
    const overflow = await pool.run({ op: 'square', n: 4 }).then(
      () => assert.fail('the fourth task should have been refused'),
      (err: unknown) => err,
    );
    assert.ok(performance.now() - t0 < 50, 'refused immediately, not after waiting');
    assert.ok(overflow instanceof Overloaded);
    assert.equal(overflow.code, 'overloaded');
    assert.equal(overflow.status, 503);
    assert.deepEqual(overflow.details, { size: 1, maxQueue: 2 });
    assert.equal(pool.stats().rejected, 1);

    const results = (await Promise.all(accepted)) as [Block, Square, Square];
    assert.deepEqual([results[1].square, results[2].square], [4, 9], 'accepted tasks still complete');
    assert.equal(((await pool.run({ op: 'square', n: 5 })) as Square).square, 25, 'capacity frees up once the queue drains');
  } finally {
    await pool.close();
  }
});

test('a worker that calls process.exit mid-task fails that task and is replaced; queued tasks continue', async () => {
  const pool = new WorkerPool<CrashRequest, CrashResponse>({ workerUrl: fixture('crashing-worker'), size: 1, maxQueue: 4 });
  try {
    await pool.start();
    const { threadId: first } = await pool.run({ op: 'ping' });
    const crashing = pool.run({ op: 'exit', code: 3 });
    const queued = [pool.run({ op: 'ping' }), pool.run({ op: 'ping' })];

    await assert.rejects(crashing, (err: unknown) => {
      assert.ok(err instanceof WorkerCrashed);
      assert.match(err.message, /code 3/);
      assert.equal(err.details['exitCode'], 3);
      return true;
    });
    const after = await Promise.all(queued);
    assert.ok(
      after.every((r) => r.threadId !== first),
      'queued tasks ran on a fresh worker',
    );
    const stats = pool.stats();
    assert.equal(stats.restarts, 1);
    assert.equal(stats.failed, 1);
    assert.equal(stats.completed, 3);
    assert.equal(stats.ready, 1);
  } finally {
    await pool.close();
  }
});

test('an uncaught exception in a worker fails its task with the message and the worker is replaced', async () => {
  const pool = new WorkerPool<CrashRequest, CrashResponse>({ workerUrl: fixture('crashing-worker'), size: 2 });
  try {
    await pool.start();
    await assert.rejects(pool.run({ op: 'uncaught' }), (err: unknown) => {
      assert.ok(err instanceof WorkerCrashed);
      assert.match(err.message, /boom outside the handler/);
      return true;
    });
    const pings = await Promise.all(Array.from({ length: 4 }, () => pool.run({ op: 'ping' })));
    assert.equal(pings.length, 4);
    assert.equal(pool.stats().restarts, 1);
  } finally {
    await pool.close();
  }
});

test('taskTimeoutMs fails a hung task with TaskTimedOut and replaces its worker', async () => {
  const pool = new WorkerPool<CrashRequest, CrashResponse>({ workerUrl: fixture('crashing-worker'), size: 1, taskTimeoutMs: 100 });
  try {
    await pool.start();
    const hung = pool.run({ op: 'hang' });
    const next = pool.run({ op: 'ping' });
    await assert.rejects(hung, (err: unknown) => err instanceof TaskTimedOut && err.code === 'task_timed_out');
    assert.ok((await next).threadId > 0, 'the queued task ran on the replacement worker');
    assert.equal(pool.stats().restarts, 1);
  } finally {
    await pool.close();
  }
});

test('handler errors round-trip: FacekeyError subclasses keep their class, others become plain Errors', async () => {
  const pool = new WorkerPool<ThrowRequest, string>({ workerUrl: fixture('throwing-worker'), size: 1 });
  try {
    await pool.start();
    await assert.rejects(pool.run({ op: 'face_not_found' }), (err: unknown) => {
      assert.ok(err instanceof FaceNotFound, `expected FaceNotFound, got ${String(err)}`);
      assert.ok(err instanceof FacekeyError);
      assert.equal(err.name, 'FaceNotFound');
      assert.equal(err.code, 'face_not_found');
      assert.equal(err.status, 422);
      assert.equal(err.message, 'no face in the image');
      assert.deepEqual(err.details, { faces: 0, imageWidth: 640 });
      assert.match(err.stack ?? '', /throwing-worker/, 'the stack points into the worker');
      return true;
    });
    await assert.rejects(pool.run({ op: 'type_error' }), (err: unknown) => {
      assert.ok(err instanceof Error && !(err instanceof FacekeyError));
      assert.equal(err.constructor, Error);
      assert.equal(err.message, 'cannot read the frame');
      return true;
    });
    await assert.rejects(pool.run({ op: 'string' }), (err: unknown) => err instanceof Error && err.message === 'a bare string');
    assert.equal(await pool.run({ op: 'ok' }), 'fine', 'handler errors do not kill the worker');
    assert.equal(pool.stats().restarts, 0);
    assert.equal(pool.stats().failed, 3);
  } finally {
    await pool.close();
  }
});

test('start() rejects with the typed init error of a worker that fails to load', async () => {
  const pool = new WorkerPool<unknown, unknown>({
    workerUrl: fixture('failing-init-worker'),
    size: 2,
    workerData: { mode: 'throw' } satisfies FailingInitData,
  });
  await assert.rejects(pool.start(), (err: unknown) => {
    assert.ok(err instanceof NotCalibrated);
    assert.equal(err.message, 'model weights missing');
    assert.deepEqual(err.details, { model: 'antispoof' });
    return true;
  });
  await assert.rejects(pool.run({}), NotCalibrated, 'a pool that failed to start refuses tasks with the same error');
  assert.equal(pool.stats().ready, 0);
  await pool.close();
});

test('start() rejects when a worker exits during init, and when the worker module does not exist', async () => {
  const exiting = new WorkerPool<unknown, unknown>({ workerUrl: fixture('failing-init-worker'), size: 1, workerData: { mode: 'exit' } });
  await assert.rejects(exiting.start(), (err: unknown) => err instanceof WorkerCrashed && /code 7/.test(err.message));
  await exiting.close();

  const missing = new WorkerPool<unknown, unknown>({ workerUrl: fixture('no-such-worker'), size: 1 });
  await assert.rejects(missing.start(), /no-such-worker|Cannot find module/);
  await missing.close();
});

test('run() before start() starts the pool; transfer lists move buffers both ways', async () => {
  const pool = squarePool({ size: 1 });
  try {
    const bytes = new Uint8Array([10, 20, 30, 40]).buffer;
    const result = (await pool.run({ op: 'sum', bytes }, [bytes])) as { sum: number; received: number; echo: ArrayBuffer };
    assert.equal(bytes.byteLength, 0, 'the request buffer was transferred, not copied');
    assert.deepEqual({ sum: result.sum, received: result.received }, { sum: 100, received: 4 });
    assert.deepEqual([...new Uint8Array(result.echo)], [1, 2, 3]);
  } finally {
    await pool.close();
  }
});

test('close() lets accepted tasks finish, refuses new ones at once, then stops every worker', async () => {
  const counters = new SharedArrayBuffer(8);
  const heartbeats = new Int32Array(counters);
  const pool = squarePool({ size: 1, workerData: { counters } });
  await pool.start();
  const running = pool.run({ op: 'block', ms: 200 });
  const queued = pool.run({ op: 'square', n: 7 });
  const closing = pool.close();
  await assert.rejects(pool.run({ op: 'square', n: 2 }), PoolClosed);
  const blocked = (await running) as Block;
  assert.ok(blocked.endedAt - blocked.startedAt >= 190, 'the running task ran to its end');
  assert.equal(((await queued) as Square).square, 49);
  await closing;
  const afterClose = Atomics.load(heartbeats, 0);
  await sleep(100);
  assert.equal(Atomics.load(heartbeats, 0), afterClose, 'no worker thread is left running');
});

test('close() rejects with PoolClosed what is still running when the drain times out', async () => {
  const pool = squarePool({ size: 1, drainTimeoutMs: 100 });
  await pool.start();
  const running = pool.run({ op: 'block', ms: 3_000 });
  const outcome = assert.rejects(running, PoolClosed);
  const before = Date.now();
  await pool.close();
  await outcome;
  assert.ok(Date.now() - before < 2_000, 'close() waited for the task instead of the drain timeout');
});

test('close() without draining rejects pending work with PoolClosed and terminates every worker thread', async () => {
  const counters = new SharedArrayBuffer(8);
  const heartbeats = new Int32Array(counters);
  const pool = squarePool({ size: 2, workerData: { counters } });
  await pool.start();
  await sleep(30);
  assert.ok(Atomics.load(heartbeats, 0) > 0, 'workers are alive and ticking');

  const running = pool.run({ op: 'block', ms: 300 });
  const queued = [pool.run({ op: 'block', ms: 300 }), pool.run({ op: 'square', n: 1 })];
  const outcomes = [running, ...queued].map((task) => assert.rejects(task, PoolClosed));
  await pool.close({ drainTimeoutMs: 0 });
  await Promise.all(outcomes);

  const afterClose = Atomics.load(heartbeats, 0);
  await sleep(400); // longer than the blocked task: a surviving worker would tick again
  assert.equal(Atomics.load(heartbeats, 0), afterClose, 'no worker thread is left running');
  await assert.rejects(pool.run({ op: 'square', n: 2 }), PoolClosed);
  await assert.rejects(pool.start(), PoolClosed);
  await pool.close(); // idempotent
});

test('the constructor validates size, maxQueue, taskTimeoutMs and drainTimeoutMs', () => {
  const workerUrl = fixture('square-worker');
  assert.throws(() => new WorkerPool({ workerUrl, size: 0 }), { code: 'invalid_argument' });
  assert.throws(() => new WorkerPool({ workerUrl, size: 1.5 }), { code: 'invalid_argument' });
  assert.throws(() => new WorkerPool({ workerUrl, maxQueue: -1 }), { code: 'invalid_argument' });
  assert.throws(() => new WorkerPool({ workerUrl, taskTimeoutMs: 0 }), { code: 'invalid_argument' });
  assert.throws(() => new WorkerPool({ workerUrl, drainTimeoutMs: -1 }), { code: 'invalid_argument' });
  const defaults = new WorkerPool({ workerUrl }).stats();
  assert.equal(defaults.size, os.availableParallelism());
});

test('compiled output: a .js worker runs with plain node (no tsx), as in production dist/', async () => {
  const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
  const outDir = await fs.mkdtemp(path.join(os.tmpdir(), 'facekey-pool-'));
  try {
    const sources = [
      'src/errors/domain-errors.ts',
      'src/pool/worker-entry.ts',
      'src/pool/worker-pool.ts',
      'test/kit/pool-workers/square-worker.ts',
    ];
    for (const source of sources) {
      const { outputText } = ts.transpileModule(await fs.readFile(path.join(repoRoot, source), 'utf8'), {
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      });
      const target = path.join(outDir, source.replace(/\.ts$/, '.js'));
      await fs.mkdir(path.dirname(target), { recursive: true });
      await fs.writeFile(target, outputText);
    }
    await fs.writeFile(path.join(outDir, 'package.json'), '{"type":"module"}');
    const driver = path.join(outDir, 'src/pool/driver.js');
    await fs.writeFile(
      driver,
      `import { WorkerPool, siblingModuleUrl } from './worker-pool.js';
const workerUrl = siblingModuleUrl(import.meta.url, '../../test/kit/pool-workers/square-worker');
const pool = new WorkerPool({ workerUrl, size: 1 });
await pool.start();
const { square } = await pool.run({ op: 'square', n: 12 });
await pool.close();
console.log(JSON.stringify({ workerUrl: workerUrl.href, square }));
`,
    );
    const env = { ...process.env };
    delete env['NODE_OPTIONS'];
    const { stdout } = await promisify(execFile)(process.execPath, [driver], { env, timeout: 20_000 });
    const out = JSON.parse(stdout) as { workerUrl: string; square: number };
    assert.equal(out.square, 144);
    assert.equal(out.workerUrl, pathToFileURL(path.join(outDir, 'test/kit/pool-workers/square-worker.js')).href);
  } finally {
    await fs.rm(outDir, { recursive: true, force: true });
  }
});
