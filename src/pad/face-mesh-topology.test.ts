import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { projectRoot } from '../runtime/project-root.js';
import { MESH_MIRROR, MESH_POINTS, MESH_TRIANGLES } from './face-mesh-topology.js';

const HUMAN_COORDS = path.join(projectRoot(), 'node_modules/@vladmandic/human/src/face/facemeshcoords.ts');

function numbersOf(source: string, name: string): number[] {
  const start = source.indexOf(`export const ${name}`);
  const open = source.indexOf('[', source.indexOf('=', start));
  let depth = 0;
  let end = open;
  for (let i = open; i < source.length; i += 1) {
    if (source[i] === '[') depth += 1;
    if (source[i] === ']' && --depth === 0) {
      end = i;
      break;
    }
  }
  return (
    source
      .slice(open, end + 1)
      .replace(/\/\/.*$/gm, '')
      .match(/-?\d+(\.\d+)?(e-?\d+)?/g) ?? []
  ).map(Number);
}

test('the mirror map is an involution that swaps the eyes and keeps the nose tip', () => {
  assert.equal(MESH_MIRROR.length, MESH_POINTS);
  MESH_MIRROR.forEach((j, i) => assert.equal(MESH_MIRROR[j], i, `point ${i}`));
  assert.equal(MESH_MIRROR[1], 1, 'nose tip on the midline');
  assert.equal(MESH_MIRROR[33], 263, 'outer eye corners swap');
  assert.equal(MESH_MIRROR[133], 362, 'inner eye corners swap');
  assert.ok(MESH_TRIANGLES.every((v) => Number.isInteger(v) && v >= 0 && v < MESH_POINTS));
});

test(
  "the topology is Human's own (TRI468, and the mirror of UV468)",
  { skip: fs.existsSync(HUMAN_COORDS) ? false : "Human's sources are not installed" },
  () => {
    const source = fs.readFileSync(HUMAN_COORDS, 'utf8');
    assert.deepEqual(numbersOf(source, 'TRI468'), [...MESH_TRIANGLES]);
    const uv = numbersOf(source, 'UV468');
    const at = (i: number): [number, number] => [uv[2 * i]!, uv[2 * i + 1]!];
    MESH_MIRROR.forEach((j, i) => {
      const [u, v] = at(i);
      const [mu, mv] = at(j);
      assert.ok(Math.hypot(1 - u - mu, v - mv) < 0.002, `point ${i} ↔ ${j}`);
    });
  },
);
