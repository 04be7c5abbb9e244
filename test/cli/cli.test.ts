import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SERVICE_DEFAULTS } from '../../src/config/service-config.js';
import { DEFAULT_ENGINE_ID } from '../../src/engines/engine-registry.js';
import { DEEPFACE_DIR, sharedDataMissingReason } from '../shared-data.js';
import { facekey } from '../kit/run-facekey-cli.js';

const skip = sharedDataMissingReason();

const img = (name: string): string => path.join(DEEPFACE_DIR, name);

test('compare --json: a same-person pair matches, a different-person pair does not; both exit 0', { skip, timeout: 300_000 }, async () => {
  const same = await facekey('compare', img('img1.jpg'), img('img2.jpg'), '--json');
  assert.equal(same.code, 0, same.stderr);
  const a = JSON.parse(same.stdout) as {
    score: number;
    match: boolean;
    threshold: number;
    targetFmr: number;
    engine: { id: string; version: string };
  };
  assert.equal(a.match, true);
  assert.ok(a.score >= a.threshold);
  assert.equal(a.engine.id, DEFAULT_ENGINE_ID);
  assert.equal(a.targetFmr, SERVICE_DEFAULTS.targetFmr, 'compare decides at the service default operating point');

  const different = await facekey('compare', img('img1.jpg'), img('img3.jpg'), '--json');
  assert.equal(different.code, 0, different.stderr);
  const b = JSON.parse(different.stdout) as { score: number; match: boolean; threshold: number };
  assert.equal(b.match, false);
  assert.ok(b.score < b.threshold);
  assert.equal(b.threshold, a.threshold);
});

test('bad input: non-zero exit and a one-line error naming the problem', { skip, timeout: 300_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'facekey-cli-'));
  const text = path.join(dir, 'notes.jpg');
  fs.writeFileSync(text, 'this is not a photo');
  const result = await facekey('compare', img('img1.jpg'), text, '--json');
  assert.notEqual(result.code, 0);
  const lines = result.stderr.trim().split('\n');
  assert.equal(lines.length, 1, result.stderr);
  assert.match(lines[0]!, /invalid_image/);

  const missing = await facekey('compare', img('img1.jpg'), path.join(dir, 'nope.png'));
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr.trim(), /^facekey compare: invalid_image: .*nope\.png/);

  const unknown = await facekey('compare', img('img1.jpg'), img('img2.jpg'), '--engine', 'magic');
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown_engine/);

  const usage = await facekey('compare', img('img1.jpg'));
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /exactly two images/);
});

test('engines lists every registered engine with its template format', async () => {
  const result = await facekey('engines', '--json');
  assert.equal(result.code, 0, result.stderr);
  const engines = JSON.parse(result.stdout) as Array<{
    id: string;
    dimension: number;
    dtype: string;
    default: boolean;
    provenance: { terms: string; weights: string };
  }>;
  const ids = engines.map((e) => e.id);
  for (const id of ['faceplugin-arcface', 'dlib-resnet', 'human-faceres', 'geometry', 'fusion'])
    assert.ok(ids.includes(id), `${id} missing from ${ids}`);
  assert.equal(engines.find((e) => e.id === 'dlib-resnet')!.dimension, 128);
  assert.equal(engines.find((e) => e.id === 'faceplugin-arcface')!.dimension, 512);
  assert.deepEqual(
    engines.filter((e) => e.default).map((e) => e.id),
    [DEFAULT_ENGINE_ID],
  );
  for (const e of engines) {
    assert.ok(['permitted', 'research-only', 'unknown'].includes(e.provenance.terms), `${e.id}: terms ${e.provenance.terms}`);
    assert.ok(e.provenance.weights.length > 0, `${e.id} says what its weights are`);
  }
});

test('detect on a group photo reports every face; quality explains a refusal', { skip, timeout: 300_000 }, async () => {
  const result = await facekey('detect', img('couple.jpg'), '--json');
  assert.equal(result.code, 0, result.stderr);
  const report = JSON.parse(result.stdout) as { faces: Array<{ face: { box: { width: number } } }> };
  assert.ok(report.faces.length >= 2);
});
