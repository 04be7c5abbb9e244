import test from 'node:test';
import assert from 'node:assert/strict';
import { provenanceOf, strictestTerms } from './engine-provenance.js';

test('a known engine gets what the code base knows of it, with the installed package version', () => {
  const p = provenanceOf({ id: 'dlib-resnet' });
  assert.equal(p.package, '@vladmandic/face-api');
  assert.match(p.version, /^\d+\.\d+\.\d+/);
  assert.equal(p.licence, 'MIT');
  assert.equal(p.terms, 'unknown', 'the training data includes research-licensed sets: not cleared');
});

test('an engine that declares its provenance wins over the table; gaps are filled, never invented', () => {
  const declared = provenanceOf({ id: 'dlib-resnet', provenance: { terms: 'permitted', licence: 'Apache-2.0', version: '9.9.9' } });
  assert.deepEqual([declared.terms, declared.licence, declared.version, declared.package], ['permitted', 'Apache-2.0', '9.9.9', '@vladmandic/face-api']);
  const stranger = provenanceOf({ id: 'someones-model' });
  assert.deepEqual(stranger, { package: 'unknown', version: 'unknown', licence: 'unknown', weightsTrainingData: 'unknown', terms: 'unknown' });
});

test("a fused engine's terms are its parts' strictest", () => {
  assert.equal(strictestTerms(['permitted', 'permitted']), 'permitted');
  assert.equal(strictestTerms(['permitted', 'unknown']), 'unknown');
  assert.equal(strictestTerms(['unknown', 'research-only', 'permitted']), 'research-only');
  assert.equal(strictestTerms([]), 'unknown');
  const fused = provenanceOf({ id: 'fusion', components: [{ id: 'geometry' }, { id: 'x', provenance: { terms: 'research-only' } }] });
  assert.equal(fused.terms, 'research-only');
  assert.match(fused.weightsTrainingData, /geometry \(permitted\), x \(research-only\)/);
  assert.equal(provenanceOf({ id: 'fusion', components: [{ id: 'geometry' }] }).terms, 'permitted');
});
