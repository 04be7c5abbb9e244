/**
 * Why the service closes HTTP first and the pool second, and why that alone was not enough: Fastify's
 * close() waits for open connections, not for handlers. A client that gives up (a load generator at its
 * deadline, a proxy timeout) takes its connection with it while its handler still awaits the pool, so
 * close() resolves at once and a pool that rejected on close failed that request with `pool_closed`.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Fastify from 'fastify';
import type { SquareRequest, SquareResponse } from '../../test/kit/pool-workers/square-worker.js';
import { WorkerPool, siblingModuleUrl } from './worker-pool.js';

test('a request whose client left still gets its pool result when the service shuts down', async () => {
  const pool = new WorkerPool<SquareRequest, SquareResponse>({
    workerUrl: siblingModuleUrl(import.meta.url, '../../test/kit/pool-workers/square-worker'),
    size: 1,
  });
  await pool.start();
  let started!: () => void;
  const handlerStarted = new Promise<void>((resolve) => (started = resolve));
  let settle!: (outcome: string) => void;
  const handlerOutcome = new Promise<string>((resolve) => (settle = resolve));
  const app = Fastify();
  app.post('/work', async () => {
    started();
    try {
      await pool.run({ op: 'block', ms: 300 });
      settle('completed');
    } catch (error) {
      settle(`failed: ${(error as { code?: string }).code}`);
    }
    return { ok: true };
  });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });

  const client = new AbortController();
  const request = fetch(`${url}/work`, { method: 'POST', signal: client.signal }).catch(() => 'aborted');
  await handlerStarted;
  client.abort();
  assert.equal(await request, 'aborted');

  // The order of start-service's close(): HTTP, then the pool.
  await app.close();
  const stillRunning = await Promise.race([handlerOutcome, new Promise((resolve) => setTimeout(() => resolve('running'), 0))]);
  assert.equal(stillRunning, 'running', 'app.close() returned while the handler still awaited the pool');
  await pool.close();
  assert.equal(await handlerOutcome, 'completed');
});
