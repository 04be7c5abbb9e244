import test from 'node:test';
import assert from 'node:assert/strict';
import { parseMultipleFacePolicy, pickCandidate, selectFace } from './face-selection.js';
import type { FaceAnalysis } from '../analysis/face-analysis.js';
import { FaceNotFound, InvalidArgument, MultipleFaces } from '../errors/domain-errors.js';

const image = { width: 200, height: 200, data: new Uint8Array(200 * 200 * 3) };
const face = (x: number, y: number, size: number): FaceAnalysis => ({
  box: { x, y, width: size, height: size },
  detectionScore: 0.9,
  mesh: [],
  meshDepth: [],
  pose: { yaw: 0, pitch: 0, roll: 0 },
  presentation: { antispoof: 1, liveness: 1 },
});
// Largest first, as the analyzer returns them: a big bystander at the edge, the subject in the centre.
const bystander = face(0, 0, 90);
const subject = face(75, 75, 50);

test('largest picks the biggest face, central the one nearest the centre', () => {
  assert.equal(selectFace([bystander, subject], image, 'largest'), bystander);
  assert.equal(selectFace([bystander, subject], image, 'central'), subject);
});

test('error refuses several faces but accepts one', () => {
  assert.throws(() => selectFace([bystander, subject], image, 'error'), MultipleFaces);
  assert.equal(selectFace([subject], image, 'error'), subject);
});

test('a detector candidate is chosen by the same policy; under error several candidates are all analysed', () => {
  const big = { box: bystander.box, detectionScore: 0.9 };
  const small = { box: subject.box, detectionScore: 0.9 };
  assert.equal(pickCandidate([big, small], image, 'largest'), big);
  assert.equal(pickCandidate([big, small], image, 'central'), small);
  assert.equal(pickCandidate([big, small], image, 'error'), null);
  assert.equal(pickCandidate([small], image, 'error'), small);
});

test('no face is FaceNotFound under every policy', () => {
  for (const policy of ['largest', 'central', 'error'] as const) assert.throws(() => selectFace([], image, policy), FaceNotFound);
});

test('policy names are validated', () => {
  assert.equal(parseMultipleFacePolicy('central'), 'central');
  assert.throws(() => parseMultipleFacePolicy('biggest'), InvalidArgument);
});
