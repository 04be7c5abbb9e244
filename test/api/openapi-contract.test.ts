/** The published contract, checked with outsiders' tools (issue 12, item 5). */
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import SwaggerParser from '@apidevtools/swagger-parser';
import { OPERATIONS } from '../../src/api/openapi-operations.js';
import { OpenApiContract } from '../kit/openapi-contract-check.js';
import { projectRoot } from '../../src/runtime/project-root.js';
import { startTestApp } from '../kit/test-app.js';

const run = promisify(execFile);

test('GET /openapi.json: valid for swagger-parser, zero redocly lint errors, one table entry per operation', async (t) => {
  const { app, dir } = await startTestApp(t, 'openapi');
  const response = await app.inject({ method: 'GET', url: '/openapi.json' });
  assert.equal(response.statusCode, 200);
  const doc = JSON.parse(response.body);

  await t.test('@apidevtools/swagger-parser validates it', async () => {
    await SwaggerParser.validate(structuredClone(doc));
  });

  await t.test('@redocly/cli lint (recommended rules) reports no error', async () => {
    const file = path.join(dir, 'openapi.json');
    fs.writeFileSync(file, response.body);
    const cli = path.join(projectRoot(), 'node_modules', '@redocly', 'cli', 'bin', 'cli.js');
    // Exit status 1 means errors; the JSON report says which.
    const { stdout } = await run(process.execPath, [cli, 'lint', file, '--format=json'], {
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
      maxBuffer: 16 * 1024 * 1024,
    }).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '{}' }));
    const report = JSON.parse(stdout);
    const errors = (report.problems ?? []).filter((p: { severity: string }) => p.severity === 'error');
    assert.equal(report.totals?.errors, 0, JSON.stringify(errors.map((p: any) => `${p.ruleId} ${p.location?.[0]?.pointer}: ${p.message}`), null, 1));
  });

  await t.test('the contract checker used by the fuzz test notices answers outside the contract', () => {
    const contract = new OpenApiContract(doc);
    const problem = JSON.stringify({ type: 'x', title: 'x', status: 400, code: 'invalid_argument', detail: 'x' });
    assert.deepEqual(contract.check({ method: 'POST', url: '/v1/tenants', status: 400, contentType: 'application/problem+json; charset=utf-8', body: problem }), []);
    assert.equal(contract.check({ method: 'POST', url: '/v1/tenants', status: 400, contentType: 'text/plain', body: 'bad' }).length, 1);
    assert.equal(contract.check({ method: 'POST', url: '/v1/tenants', status: 200, contentType: 'application/json', body: '{}' }).length, 1, '200 is not declared: creates answer 201');
    assert.equal(contract.check({ method: 'POST', url: '/v1/tenants', status: 401, contentType: 'application/problem+json', body: problem }).length, 1, 'status mismatch');
    assert.equal(contract.check({ method: 'GET', url: '/v1/nowhere', status: 200, contentType: 'application/json', body: '{}' }).length, 1);
  });

  await t.test('every operation has its summary, operationId and success statuses; no stale table entries', () => {
    const published = Object.entries<Record<string, any>>(doc.paths).flatMap(([p, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${p}`));
    assert.deepEqual([...published].sort(), Object.keys(OPERATIONS).sort());
    for (const key of published) {
      const [method, p] = key.split(' ') as [string, string];
      const operation = doc.paths[p][method.toLowerCase()];
      assert.equal(operation.summary, OPERATIONS[key]!.summary);
      assert.ok(operation.responses['4XX'].content['application/problem+json'], `${key} documents its errors as problem+json`);
    }
  });
});
