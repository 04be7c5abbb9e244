import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sameMesh } from './challenge-tracking.js';

test('the same camera frame grabbed twice is recognised by its identical mesh', () => {
  const face = (dx: number) => ({ mesh: [[10 + dx, 20] as const, [30, 40] as const] }) as unknown as Parameters<typeof sameMesh>[0];
  assert.equal(sameMesh(face(0), face(0)), true);
  assert.equal(sameMesh(face(0), face(0.01)), false);
});
