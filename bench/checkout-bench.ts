/**
 * `npm run bench:checkout`: the real service on embedded defaults (SQLite, worker pool) and a
 * registered terminal; autocannon drives POST /v1/checkout over loopback, every request freshly
 * signed (RFC 9421, its own nonce) as a terminal would. Two runs: a device template with a second
 * factor (matcher, policy, assertion signing, audit — no face engine), and a photo (PAD, detection,
 * template, 1:N in the gallery). Each approved checkout signs an ES256 assertion and appends to the
 * audit chain; the outcome counts show the runs measured approvals, not refusals.
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
import { generateTerminalKeyPair, signTerminalRequest } from '../src/devices/terminal-client.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const GALLERY = Number(process.env.BENCH_GALLERY ?? 50);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'facekey-checkout-bench-'));
const service = await startService(
  readServiceConfig({ FACEKEY_DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', FACEKEY_RATE_LIMIT: '100000000' }),
);
const base = service.url;

async function call(method: string, url: string, token: string, body?: unknown): Promise<any> {
  const r = await fetch(base + url, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!r.ok) throw new Error(`${url}: ${r.status} ${await r.text()}`);
  return r.status === 204 ? undefined : r.json();
}

try {
  const operator = fs.readFileSync(path.join(dataDir, 'operator.key'), 'utf8').trim();
  const tenant = await call('POST', '/v1/tenants', operator, { name: 'bench café' });
  const key = (await call('POST', `/v1/tenants/${tenant.id}/api-keys`, operator, { scopes: ['admin'] })).token;
  const terminalKeys = generateTerminalKeyPair();
  const terminal = await call('POST', '/v1/terminals', key, { label: 'bench till', kind: 'checkout', publicKey: terminalKeys.publicJwk });

  const engine = createEngine(DEFAULT_ENGINE_ID);
  const random = seededRandom(11);
  const enroll = async (ref: string, sample: { template: string } | { image: string }, phone: string) => {
    const consent = await call('POST', '/v1/consents', key, {
      textVersion: 'eu-2026-11',
      purposes: ['payment'],
      jurisdiction: 'EU',
      deviceId: 'bench',
    });
    const subject = await call('POST', '/v1/subjects', key, { externalRef: ref, consentId: consent.id });
    await call('POST', `/v1/subjects/${subject.id}/templates`, key, sample);
    await call('POST', `/v1/subjects/${subject.id}/tokens`, key, { tokenRef: `tok_bench_${ref.padEnd(16, '0')}` });
    await call('PUT', `/v1/subjects/${subject.id}/second-factors/phone_last4`, key, { value: phone });
  };
  const templateShopper = Buffer.from(encodeTemplate(createTemplate(engine, randomVector(engine.dimension, random)))).toString('base64');
  await enroll('device-shopper', { template: templateShopper }, '1234');
  // A checkout camera frames one shopper: sample2 is the bundled one-face photo (enrollment refuses
  // group photos). One photo cannot answer a liveness session's challenge, so the tenant allows
  // face-only approval without one, as a terminal that sends single photos would need.
  const photo = fs.readFileSync(bundledSampleImages()[1]!).toString('base64');
  await call('PUT', '/v1/risk-policy', key, { allowSessionlessLiveness: true });
  await enroll('photo-shopper', { image: photo }, '5678');
  for (let i = 2; i < GALLERY; i++) {
    const template = Buffer.from(encodeTemplate(createTemplate(engine, randomVector(engine.dimension, random)))).toString('base64');
    await enroll(`member-${i}`, { template }, String(1000 + i).slice(-4));
  }

  const url = `${base}/v1/checkout`;
  let sequence = 0;
  const run = (title: string, probe: Record<string, unknown>, connections: number) => {
    const outcomes = new Map<string, number>();
    return new Promise<{ result: autocannon.Result; outcomes: Map<string, number> }>((resolve, reject) => {
      const instance = autocannon(
        {
          title,
          url,
          connections,
          duration: SECONDS,
          requests: [
            {
              method: 'POST',
              // Each request is signed afresh: a replayed signature would be refused as a replay.
              setupRequest: (request) => {
                const body = JSON.stringify({ amount: 450, currency: 'EUR', merchantRef: `bench-${++sequence}`, ...probe });
                const headers = { 'content-type': 'application/json' };
                const signed = signTerminalRequest(
                  { method: 'POST', url, headers, body },
                  { terminalId: terminal.id, privateKey: terminalKeys.privateKey },
                );
                return { ...request, method: 'POST', body, headers: { ...headers, ...signed } };
              },
              onResponse: (status, body) => {
                const outcome = status === 200 ? (JSON.parse(body) as { outcome: string }).outcome : `http ${status}`;
                outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
              },
            },
          ],
        },
        (error, result) => (error ? reject(error) : resolve({ result, outcomes })),
      );
      void instance;
    });
  };

  console.log(
    `facekey checkout benchmark: ${os.availableParallelism()} cores, node ${process.version}, ${SECONDS} s per run, gallery of ${GALLERY}, SQLite store, loopback`,
  );
  const withTemplate = await run(
    'checkout, device template + second factor',
    { template: templateShopper, secondFactor: { kind: 'phone_last4', value: '1234' } },
    Number(process.env.BENCH_CONNECTIONS ?? 16),
  );
  const withPhoto = await run('checkout, photo (1:N)', { image: photo }, 4);
  console.log('| checkout | checkouts/s (mean) | p50 ms | p99 ms | outcomes |');
  console.log('|---|---|---|---|---|');
  for (const [name, { result, outcomes }] of [
    ['device template + second factor', withTemplate],
    ['photo, face only (PAD + 1:N)', withPhoto],
  ] as const) {
    const summary = [...outcomes].map(([k, v]) => `${k} ${v}`).join(', ');
    console.log(`| ${name} | ${result.requests.average.toFixed(0)} | ${result.latency.p50} | ${result.latency.p99} | ${summary} |`);
  }
} finally {
  await service.close();
}
