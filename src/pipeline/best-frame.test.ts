import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bestFrameIndex } from './face-pipeline.js';

const frame = (score: number, acceptable = true, passed = true) =>
  ({ quality: { score, acceptable }, presentation: { passed } }) as unknown as Parameters<typeof bestFrameIndex>[0][number];

describe('bestFrameIndex', () => {
  it('picks the acceptable, presentation-passing frame of highest quality', () => {
    assert.equal(bestFrameIndex([frame(0.5), frame(0.8), frame(0.95, false), frame(0.99, true, false), frame(0.7)]), 1);
  });

  it('falls back to the first frame when none is acceptable, so its gates name the reason', () => {
    assert.equal(bestFrameIndex([frame(0.2, false), frame(0.9, true, false)]), 0);
  });
});
