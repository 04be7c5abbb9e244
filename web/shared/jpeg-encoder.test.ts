import assert from 'node:assert/strict';
import { test } from 'node:test';
import { workerJpeg, type EncoderWorker, type JpegEncoder } from './jpeg-encoder';
import type { EncodeReply, EncodeRequest } from './jpeg-encoder-protocol';

const canvas = {} as HTMLCanvasElement;
const bitmap = () => ({ close() {} }) as unknown as ImageBitmap;

/** A worker that answers as `behave` says: with bytes, with none, never, or by failing. */
function fakeWorker(behave: (request: EncodeRequest) => 'bytes' | 'none' | 'silent' | 'error') {
  const seen: EncodeRequest[] = [];
  let terminated = false;
  const worker: EncoderWorker = {
    onmessage: null,
    onerror: null,
    postMessage(request) {
      seen.push(request);
      const how = behave(request);
      const answer = (reply: EncodeReply) => worker.onmessage?.({ data: reply } as MessageEvent<EncodeReply>);
      if (how === 'bytes') queueMicrotask(() => answer({ id: request.id, jpeg: new Uint8Array([0xff, 0xd8, request.id]).buffer }));
      if (how === 'none') queueMicrotask(() => answer({ id: request.id }));
      if (how === 'error') queueMicrotask(() => worker.onerror?.(new Error('worker script failed')));
    },
    terminate() {
      terminated = true;
    },
  };
  return { worker, seen, terminated: () => terminated };
}

function countingFallback(): JpegEncoder & { calls: number } {
  const fallback = {
    calls: 0,
    async encode() {
      fallback.calls += 1;
      return new Uint8Array([0xff, 0xd8, 0]);
    },
  };
  return fallback;
}

test('frames are encoded in the worker, each answer matched to its frame', async () => {
  const fake = fakeWorker(() => 'bytes');
  const fallback = countingFallback();
  const encoder = workerJpeg({ worker: () => fake.worker, bitmap: async () => bitmap(), fallback });
  const [a, b] = await Promise.all([encoder.encode(canvas, 0.85), encoder.encode(canvas, 0.85)]);
  assert.deepEqual(
    [[...a], [...b]],
    [
      [0xff, 0xd8, 1],
      [0xff, 0xd8, 2],
    ],
  );
  assert.deepEqual(
    fake.seen.map((r) => r.quality),
    [0.85, 0.85],
  );
  assert.equal(fallback.calls, 0);
});

test('a worker that fails is given up for good: this frame and every later one are encoded here', async () => {
  const fake = fakeWorker(() => 'error');
  const fallback = countingFallback();
  let started = 0;
  const encoder = workerJpeg({ worker: () => ((started += 1), fake.worker), bitmap: async () => bitmap(), fallback });
  await encoder.encode(canvas, 0.85);
  await encoder.encode(canvas, 0.85);
  assert.deepEqual([fallback.calls, fake.seen.length, started, fake.terminated()], [2, 1, 1, true]);
});

test('a worker that does not answer within the deadline is given up: a quiet worker costs one slow frame', async () => {
  const fake = fakeWorker(() => 'silent');
  const fallback = countingFallback();
  const encoder = workerJpeg({ worker: () => fake.worker, bitmap: async () => bitmap(), fallback, deadlineMs: 20 });
  const began = performance.now();
  await encoder.encode(canvas, 0.85);
  assert.ok(performance.now() - began >= 15, 'waited for the deadline');
  await encoder.encode(canvas, 0.85);
  assert.deepEqual([fallback.calls, fake.seen.length, fake.terminated()], [2, 1, true]);
});

test('a frame the worker cannot encode is encoded here, and the worker keeps the next one', async () => {
  const fake = fakeWorker((request) => (request.id === 1 ? 'none' : 'bytes'));
  const fallback = countingFallback();
  const encoder = workerJpeg({ worker: () => fake.worker, bitmap: async () => bitmap(), fallback });
  assert.deepEqual([...(await encoder.encode(canvas, 0.85))], [0xff, 0xd8, 0]);
  assert.deepEqual([...(await encoder.encode(canvas, 0.85))], [0xff, 0xd8, 2]);
  assert.deepEqual([fallback.calls, fake.terminated()], [1, false]);
});

test('without a worker to start, or a bitmap to send, the main thread encodes', async () => {
  const fallback = countingFallback();
  const noWorker = workerJpeg({ worker: () => assert.fail('no Worker here') as never, bitmap: async () => bitmap(), fallback });
  await noWorker.encode(canvas, 0.85);
  const noBitmap = workerJpeg({
    worker: () => fakeWorker(() => 'bytes').worker,
    bitmap: () => Promise.reject(new Error('canvas unreadable')),
    fallback,
  });
  await noBitmap.encode(canvas, 0.85);
  assert.equal(fallback.calls, 2);
});

test('a frame whose bitmap was still being made when the worker failed goes to the main thread at once, not after the deadline', async () => {
  const fake = fakeWorker(() => 'error');
  const fallback = countingFallback();
  let releaseBitmap: () => void = () => undefined;
  let closed = 0;
  const slowBitmap = () =>
    new Promise<ImageBitmap>((resolve) => (releaseBitmap = () => resolve({ close: () => (closed += 1) } as unknown as ImageBitmap)));
  let calls = 0;
  const encoder = workerJpeg({
    worker: () => fake.worker,
    bitmap: () => (++calls === 1 ? slowBitmap() : Promise.resolve(bitmap())),
    fallback,
    deadlineMs: 60_000,
  });
  const waitingForItsBitmap = encoder.encode(canvas, 0.85);
  await encoder.encode(canvas, 0.85); // the worker fails on this one
  releaseBitmap();
  await waitingForItsBitmap;
  assert.deepEqual([fallback.calls, fake.seen.length, closed], [2, 1, 1]);
});
