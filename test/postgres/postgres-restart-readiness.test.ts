/**
 * Issue 14, item 8: a PostgreSQL restart makes `/ready` fail, and facekey recovers by itself once
 * the server is back — no restart of facekey, no unhandled error, writes work again. The service
 * runs as `facekey serve` in a child process on a cluster of the test's own (the shared server on
 * 5432 is never stopped).
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '../../src/runtime/project-root.js';
import { freePort, stopChild, waitUntilReady } from '../kit/child-service.js';
import { createThrowawayPostgres, throwawayPostgresMissingReason } from '../kit/throwaway-postgres.js';

async function within(ms: number, check: () => Promise<boolean>, what: string): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < ms) {
    if (await check()) return Date.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what} not within ${ms} ms`);
}

test('a PostgreSQL restart: /ready 503 while it is down, 200 again after, and writes succeed without restarting facekey', { timeout: 180_000, skip: throwawayPostgresMissingReason() }, async (t) => {
  const cluster = await createThrowawayPostgres();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'facekey-pg-restart-'));
  const logFile = path.join(dataDir, 'serve.log');
  const log = fs.openSync(logFile, 'a');
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(projectRoot(), 'src/cli/main.ts'), 'serve'], {
    cwd: projectRoot(),
    env: {
      ...process.env,
      DATABASE_URL: cluster.url,
      PORT: String(port),
      HOST: '127.0.0.1',
      FACEKEY_DATA_DIR: dataDir,
      FACEKEY_MQTT_PORT: '0',
      FACEKEY_NETWORK_SIM: 'off',
      FACEKEY_WORKERS: '1',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', log, log],
  });
  t.after(async () => {
    await stopChild(child);
    fs.closeSync(log);
    await cluster.destroy();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  const ready = async () => (await fetch(`${base}/ready`)).status;
  const call = async (route: string, key: string, body: unknown) => {
    const response = await fetch(base + route, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  await waitUntilReady(`${base}/ready`, child, logFile, 90_000);
  const operator = fs.readFileSync(path.join(dataDir, 'operator.key'), 'utf8').trim();
  const tenant = await call('/v1/tenants', operator, { name: 'restart shop' });
  assert.equal(tenant.status, 201);
  const admin = (await call(`/v1/tenants/${String(tenant.body.id)}/api-keys`, operator, { scopes: ['admin'] })).body.token as string;
  const claim = { kind: 'checkout', siteId: 'store-1', expiresInSeconds: 3600, maxUses: 1 };
  assert.equal((await call('/v1/fleet/claims', admin, claim)).status, 201);

  await cluster.stop();
  const downAfter = await within(5_000, async () => (await ready()) === 503, '/ready 503 after PostgreSQL stopped');
  const refused = await call('/v1/fleet/claims', admin, claim);
  assert.ok(refused.status >= 500, `a write while the database is down fails as a server-side error, got ${refused.status}`);
  // Down for a while: the timers (rollouts, presence, retention) run against a dead database meanwhile.
  await new Promise((resolve) => setTimeout(resolve, 2_500));
  assert.equal(await ready(), 503);
  assert.equal(child.exitCode, null, 'facekey stays up while PostgreSQL is down');

  await cluster.start();
  const upAfter = await within(15_000, async () => (await ready()) === 200, '/ready 200 after PostgreSQL started again');
  const written = await call('/v1/fleet/claims', admin, claim);
  assert.equal(written.status, 201, `a write after the restart: ${JSON.stringify(written.body)}`);
  assert.equal((await call('/v1/tenants', operator, { name: 'after the restart' })).status, 201);
  assert.equal(child.exitCode, null);
  const output = fs.readFileSync(logFile, 'utf8');
  assert.doesNotMatch(output, /unhandled|uncaught/i, 'no unhandled error in facekey’s log');
  console.log(`postgres restart: /ready 503 after ${downAfter} ms, 200 again ${upAfter} ms after the start`);
});
