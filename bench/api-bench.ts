/**
 * `npm run bench:api`: starts the real service on embedded defaults in a temporary data directory,
 * enrolls one subject, then drives POST /v1/verify with autocannon over loopback — first with a
 * device template (the matcher, store and HTTP path), then with a photo (bounded by the engine pool;
 * timed after a few untimed seconds of the same requests).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { readServiceConfig } from '../src/config/service-config.js';
import { startService } from '../src/server/start-service.js';
import { createEngine, DEFAULT_ENGINE_ID } from '../src/engines/engine-registry.js';
import { createTemplate } from '../src/templates/template.js';
import { encodeTemplate } from '../src/templates/template-codec.js';
import { randomVector, seededRandom } from '../src/runtime/seeded-random.js';
import { bundledSampleImages } from '../src/cli/commands/demo-command.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'facekey-bench-'));
const service = await startService({
  ...readServiceConfig({ FACEKEY_DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', FACEKEY_RATE_LIMIT: '100000000' }),
});
const base = service.url;

async function post(url: string, token: string, body: unknown): Promise<any> {
  const r = await fetch(base + url, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!r.ok) throw new Error(`${url}: ${r.status} ${await r.text()}`);
  return r.json();
}

function run(title: string, body: string, token: string, connections: number, duration = SECONDS): Promise<autocannon.Result> {
  return autocannon({
    title,
    url: `${base}/v1/verify`,
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body,
    connections,
    duration,
  });
}

/**
 * Untimed photo requests before the timed run. The template run before never reaches the engine
 * workers, so without this the photo run's first seconds are the workers' own warm-up (V8's
 * optimising compiles of the analysis, the first large allocations): what a service pays once
 * after start, not per request.
 */
const PHOTO_WARMUP_SECONDS = 3;

try {
  const operator = fs.readFileSync(path.join(dataDir, 'operator.key'), 'utf8').trim();
  const tenant = await post('/v1/tenants', operator, { name: 'bench' });
  const key = (await post(`/v1/tenants/${tenant.id}/api-keys`, operator, { scopes: ['admin'] })).token;
  const consent = await post('/v1/consents', key, {
    textVersion: 'eu-2026-11',
    purposes: ['payment'],
    jurisdiction: 'EU',
    deviceId: 'bench',
  });
  const subject = await post('/v1/subjects', key, { externalRef: 'bench-1', consentId: consent.id });
  const engine = createEngine(DEFAULT_ENGINE_ID);
  const template = Buffer.from(encodeTemplate(createTemplate(engine, randomVector(engine.dimension, seededRandom(1))))).toString('base64');
  await post(`/v1/subjects/${subject.id}/templates`, key, { template });

  console.log(
    `facekey API benchmark: ${os.availableParallelism()} cores, node ${process.version}, ${SECONDS} s per run (the photo run after ${PHOTO_WARMUP_SECONDS} s untimed), SQLite store, loopback`,
  );
  const withTemplate = await run(
    'verify with a template',
    JSON.stringify({ subjectId: subject.id, template }),
    key,
    Number(process.env.BENCH_CONNECTIONS ?? 16),
  );
  const image = fs.readFileSync(bundledSampleImages()[0]!).toString('base64');
  const photoBody = JSON.stringify({ subjectId: subject.id, image });
  await run('warm-up with a photo', photoBody, key, 4, PHOTO_WARMUP_SECONDS);
  const withImage = await run('verify with a photo', photoBody, key, 4);
  console.log('| request | req/s (mean) | p50 ms | p99 ms | errors / non-2xx |');
  console.log('|---|---|---|---|---|');
  for (const [name, r] of [
    ['verify, device template', withTemplate],
    ['verify, 1920 px photo', withImage],
  ] as const) {
    console.log(`| ${name} | ${r.requests.average.toFixed(0)} | ${r.latency.p50} | ${r.latency.p99} | ${r.errors} / ${r.non2xx} |`);
  }
} finally {
  await service.close();
}
