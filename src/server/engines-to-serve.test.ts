import test from 'node:test';
import assert from 'node:assert/strict';
import { enginesToServe } from './engines-to-serve.js';

const registry = {
  has: (id: string) => ['new', 'old', 'other'].includes(id),
  versionOf: (id: string) => ({ new: '2', old: '1', other: '5' })[id] ?? '?',
};
const stored = [
  { engineId: 'new', engineVersion: '2', templates: 4 },
  { engineId: 'old', engineVersion: '1', templates: 10 },
  { engineId: 'gone', engineVersion: '1', templates: 3 },
  { engineId: 'other', engineVersion: '4', templates: 2 },
];

test('unset: every stored engine the registry can still compute runs beside the active one; the rest are reported', () => {
  const served = enginesToServe('new', undefined, stored, registry);
  assert.deepEqual(served.ids, ['new', 'old']);
  assert.deepEqual(
    served.stranded.map((s) => [s.engineId, s.why]),
    [
      ['gone', 'no such engine in the registry'],
      ['other', 'the registry has version 5'],
    ],
  );
});

test("an operator's FACEKEY_FALLBACK_ENGINES is taken as given, the active engine first and once", () => {
  assert.deepEqual(enginesToServe('new', [], stored, registry), { ids: ['new'], stranded: [] });
  assert.deepEqual(enginesToServe('new', ['other', 'new'], stored, registry).ids, ['new', 'other']);
});

test('an empty store serves the active engine alone', () => {
  assert.deepEqual(enginesToServe('new', undefined, [], registry), { ids: ['new'], stranded: [] });
});
