import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { InvalidArgument } from '../../errors/domain-errors.js';
import { parseModelCard } from './model-card.js';
import { bundledModelCardsDir } from './model-card-files.js';
import { modelCardVersion } from './onnx-arcface-engine.js';

const bundled = JSON.parse(fs.readFileSync(path.join(bundledModelCardsDir(), 'faceplugin-arcface.json'), 'utf8')) as Record<
  string,
  unknown
>;

function withChange(change: (card: Record<string, unknown>) => void): Record<string, unknown> {
  const card = structuredClone(bundled);
  change(card);
  return card;
}

function refusal(card: unknown): string {
  try {
    parseModelCard(card, 'test.json');
  } catch (error) {
    assert.ok(error instanceof InvalidArgument);
    return error.message;
  }
  assert.fail('the card was accepted');
}

test('the bundled card is valid: BGR, (x − 127)/128, ArcFace 112 reference, 512-d, provenance', () => {
  const card = parseModelCard(bundled, 'bundled');
  assert.equal(card.id, 'faceplugin-arcface');
  assert.equal(card.input.channelOrder, 'BGR');
  assert.deepEqual(card.input.mean, [127, 127, 127]);
  assert.deepEqual(card.input.std, [128, 128, 128]);
  assert.equal(card.output.dimension, 512);
  assert.equal(card.referencePoints, 'arcface-112');
  assert.equal(card.provenance.terms, 'unknown');
  assert.equal(card.provenance.package?.licence, 'MIT');
});

test('each problem names the field', () => {
  assert.match(refusal(withChange((c) => (c.schema = 'x'))), /"schema" must be "facekey-model-card\/1"/);
  assert.match(refusal(withChange((c) => (c.id = 'Bad Id'))), /"id" must be/);
  assert.match(refusal(withChange((c) => (c.sha256 = 'abc'))), /"sha256" must be 64 hex digits/);
  assert.match(refusal(withChange((c) => ((c.input as Record<string, unknown>).channelOrder = 'BRG'))), /"input.channelOrder"/);
  assert.match(
    refusal(withChange((c) => ((c.input as Record<string, unknown>).std = [128, 0, 128]))),
    /"input.std\[1\]" must be a positive number/,
  );
  assert.match(
    refusal(withChange((c) => ((c.input as Record<string, unknown>).size = 128))),
    /"referencePoints" "arcface-112" needs input.size 112/,
  );
  assert.match(
    refusal(withChange((c) => ((c.provenance as Record<string, unknown>).terms = 'free'))),
    /"provenance.terms" must be one of permitted, research-only, unknown/,
  );
  assert.match(refusal(withChange((c) => (c.mirror = true))), /"mirror" is not a model-card field/);
  assert.match(
    refusal(withChange((c) => (c.source = { npm: 'faceplugin-face-recognition-js@latest', path: 'x' }))),
    /"source.npm" must be an exact package spec/,
  );
  assert.match(refusal(withChange((c) => (c.referencePoints = [[1, 2]]))), /"referencePoints" must be "arcface-112" or five/);
});

test('explicit reference points are accepted inside the input and refused outside it', () => {
  const points = [
    [38, 52],
    [74, 52],
    [56, 72],
    [42, 92],
    [71, 92],
  ];
  const card = parseModelCard(
    withChange((c) => (c.referencePoints = points)),
    'test.json',
  );
  assert.deepEqual(
    card.referencePoints,
    points.map(([x, y]) => ({ x, y })),
  );
  assert.match(
    refusal(withChange((c) => (c.referencePoints = [...points.slice(0, 4), [200, 5]]))),
    /"referencePoints\[4\]\[0\]" must be within 0…112/,
  );
});

test('the engine version carries the model hash and changes when preprocessing changes', () => {
  const card = parseModelCard(bundled, 'bundled');
  const version = modelCardVersion(card);
  assert.match(version, new RegExp(`\\+m${card.sha256.slice(0, 12)}\\+`));
  assert.match(version, /\+bf128$/);
  const rgb = parseModelCard(
    withChange((c) => ((c.input as Record<string, unknown>).channelOrder = 'RGB')),
    'rgb',
  );
  assert.notEqual(modelCardVersion(rgb), version);
  const other = parseModelCard(
    withChange((c) => (c.sha256 = 'f'.repeat(64))),
    'other',
  );
  assert.notEqual(modelCardVersion(other), version);
});
