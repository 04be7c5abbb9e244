import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FaceAnalysis, Point2 } from '../analysis/face-analysis.js';
import { frame } from '../../test/kit/synthetic-face-burst.js';
import { assessBurstLiveness, detectTrackedBlink } from './burst-liveness.js';
import type { BurstTracks } from './burst-tracks.js';
import { RIGID_LANDMARKS } from './rigid-landmarks.js';
import { trackedPairGeometry } from './tracked-parallax.js';

/** Tracks as a perfect tracker reports them: frame 0's rigid landmarks found where `locate` puts them in each frame. */
function tracksOf(frames: readonly FaceAnalysis[], locate: (k: number, i: number) => Point2 | null): BurstTracks {
  return {
    landmarks: RIGID_LANDMARKS,
    points: frames.map((_, k) => RIGID_LANDMARKS.map((i) => (k === 0 ? frames[0]!.mesh[i]! : locate(k, i)))),
    eyeChange: frames.map(() => 0),
  };
}

test('a head turning 16°, followed point for point, shows tracked parallax: depth-driven, and the rigid face wins', () => {
  const frames = [frame({ yawDeg: -8, seed: 1 }), frame({ yawDeg: 0, seed: 2 }), frame({ yawDeg: 8, seed: 3 })];
  // The synthetic mesh is the surface itself, so each frame's own landmark is where the skin went.
  const tracks = tracksOf(frames, (k, i) => frames[k]!.mesh[i]!);
  const pair = trackedPairGeometry(frames, tracks, 2);
  assert.ok(pair);
  assert.ok(pair.depthParallax > 0.012, `depth parallax ${pair.depthParallax}`);
  assert.ok(pair.planarError / pair.rigidError > 2, `ratio ${pair.planarError / pair.rigidError}`);
  const verdict = assessBurstLiveness(frames, {}, tracks);
  assert.equal(verdict.evidence.parallaxDetected, true, JSON.stringify(verdict.evidence.parallax));
  assert.equal(verdict.evidence.parallax?.source, 'tracked');
  assert.equal(verdict.live, true, verdict.reasons.join());
});

test('a turned picture moved in perspective, tracked to a tenth of a pixel, shows no parallax, whatever its mesh does', () => {
  const face = frame({ yawDeg: 10, seed: 4 });
  const h = [1.02, 0.03, -4, -0.02, 0.99, 3, 0.0004, 0.0001, 1];
  const map = (p: Point2, t: number): Point2 => {
    const w = 1 + t * (h[6]! * p.x + h[7]! * p.y);
    return { x: (p.x + t * ((h[0]! - 1) * p.x + h[1]! * p.y + h[2]!)) / w, y: (p.y + t * (h[3]! * p.x + (h[4]! - 1) * p.y + h[5]!)) / w };
  };
  // The mesh model, fooled by the picture, reports a turning head; the pixels moved as one plane.
  const frames = [face, frame({ yawDeg: 0, seed: 5 }), frame({ yawDeg: -10, seed: 6 })];
  let seed = 9;
  const noise = () => ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) * 0.2;
  const tracks = tracksOf(frames, (k, i) => {
    const p = map(face.mesh[i]!, k / 2);
    return { x: p.x + noise(), y: p.y + noise() };
  });
  const verdict = assessBurstLiveness(frames, {}, tracks);
  assert.equal(verdict.evidence.parallaxDetected, false, JSON.stringify(verdict.evidence.parallax));
  assert.equal(verdict.live, false);
  assert.ok(verdict.reasons.includes('no_parallax') || verdict.reasons.includes('no_challenge'), verdict.reasons.join());
});

test('a pair followed on too few landmarks says nothing, however three-dimensional it looks', () => {
  const frames = [frame({ yawDeg: -8, seed: 1 }), frame({ yawDeg: 0, seed: 2 }), frame({ yawDeg: 8, seed: 3 })];
  // Only every third landmark followed: a third, under the policy's 40 %.
  const tracks = tracksOf(frames, (k, i) => (RIGID_LANDMARKS.indexOf(i) % 3 === 0 ? frames[k]!.mesh[i]! : null));
  const verdict = assessBurstLiveness(frames, {}, tracks);
  assert.equal(verdict.evidence.parallax, null);
  assert.equal(verdict.evidence.parallaxDetected, false);
  assert.equal(verdict.live, false);
});

test('a tracked blink: the eyes change against the face and come back; eyes that change and stay do not count', () => {
  assert.equal(detectTrackedBlink([0, 0.05, 0.45, 0.08]), true);
  assert.equal(detectTrackedBlink([0, 0.3, 0.45, 0.4]), false);
  assert.equal(detectTrackedBlink([0, 0.02, 0.04, 0.01]), false, "below the policy's 0.05: what a moved picture reaches");
  assert.equal(detectTrackedBlink([0, null, 0.5, null]), false);
});
