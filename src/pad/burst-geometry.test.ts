import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FaceAnalysis, Point2 } from '../analysis/face-analysis.js';
import { frame } from '../../test/kit/synthetic-face-burst.js';
import { assessBurstLiveness } from './burst-liveness.js';
import { depthExplainedResidual, pairGeometry, relativeHeadRotation } from './burst-geometry.js';
import { MESH_MIRROR } from './face-mesh-topology.js';

/** The same face, its landmarks moved by a 2-D map: what a flat picture of it does in front of a camera. */
function planarCopy(face: FaceAnalysis, map: (p: Point2) => Point2): FaceAnalysis {
  return { ...face, mesh: face.mesh.map(map) };
}

const homography =
  (h: readonly number[]) =>
  (p: Point2): Point2 => {
    const w = h[6]! * p.x + h[7]! * p.y + h[8]!;
    return { x: (h[0]! * p.x + h[1]! * p.y + h[2]!) / w, y: (h[3]! * p.x + h[4]! * p.y + h[5]!) / w };
  };

const turned = frame({ yawDeg: 8, seed: 3 });

test('a real head turn is fitted by the rigid 3-D face far better than by any homography', () => {
  const g = pairGeometry([frame({ yawDeg: -8, seed: 1 }), frame({ yawDeg: 8, seed: 2 })], 0, 1);
  assert.ok(g.planarError > 0.02, `planar error ${g.planarError}`);
  assert.ok(g.planarError / g.rigidError > 3, `ratio ${g.planarError / g.rigidError}`);
  assert.equal(g.identical, false);
});

test('shifted, rotated, squeezed and perspective-tilted copies of one picture fit a homography: refused as no parallax', () => {
  const [cx, cy] = [320, 240];
  const maps: Record<string, (p: Point2) => Point2> = {
    rotation: (p) => ({
      x: cx + Math.cos(0.25) * (p.x - cx) - Math.sin(0.25) * (p.y - cy) + 5,
      y: cy + Math.sin(0.25) * (p.x - cx) + Math.cos(0.25) * (p.y - cy),
    }),
    squeeze: (p) => ({ x: cx + 0.75 * (p.x - cx), y: p.y }),
    tilt: homography([1, 0.02, 0, 0.01, 1, 0, 0.0009, 0.0001, 1]),
  };
  for (const [name, map] of Object.entries(maps)) {
    const frames = [turned, planarCopy(turned, map), planarCopy(turned, (p) => map(map(p)))];
    const verdict = assessBurstLiveness(frames);
    assert.equal(verdict.live, false, name);
    assert.equal(verdict.evidence.parallaxDetected, false, `${name}: ${JSON.stringify(verdict.evidence.parallax)}`);
    assert.equal(verdict.evidence.blinkDetected, false, `${name}: a squeeze narrows the eyes but not against the face`);
  }
});

test('a picture and its mirror image, relabelled by the mesh model, are refused as mirrored frames', () => {
  // A flipped picture: every point is reflected, and the model names the flipped left eye the right eye.
  const flip = (face: FaceAnalysis): FaceAnalysis => ({
    ...face,
    mesh: face.mesh.map((_, i) => {
      const q = face.mesh[i < 468 ? MESH_MIRROR[i]! : i]!;
      return { x: 640 - q.x, y: q.y };
    }),
    meshDepth: face.meshDepth.map((_, i) => face.meshDepth[i < 468 ? MESH_MIRROR[i]! : i]!),
    pose: { ...face.pose, yaw: -face.pose.yaw },
  });
  const verdict = assessBurstLiveness([turned, flip(turned), planarCopy(turned, (p) => ({ x: p.x + 3, y: p.y }))]);
  assert.equal(verdict.live, false);
  assert.ok(verdict.reasons.includes('mirrored_frames'), verdict.reasons.join());
  assert.deepEqual(verdict.evidence.mirroredPairs[0], [0, 1]);
});

test('a real turn through the frontal view is not mistaken for a mirror', () => {
  const verdict = assessBurstLiveness([-12, -6, 0, 6, 12].map((yawDeg, i) => frame({ yawDeg, seed: 40 + i })));
  assert.equal(verdict.live, true, verdict.reasons.join());
  assert.deepEqual(verdict.evidence.mirroredPairs, []);
});

test('relative head rotation reads turns and nods in the subject-facing directions', () => {
  const frames = [frame({ seed: 1 }), frame({ yawDeg: 15, seed: 2 }), frame({ pitchDeg: 12, seed: 3 })];
  const right = relativeHeadRotation(frames, 0, 1);
  assert.ok(Math.abs(right.towardsImageRightDeg - 15) < 2, `yaw ${right.towardsImageRightDeg}`);
  const down = relativeHeadRotation(frames, 0, 2);
  assert.ok(Math.abs(down.downDeg - 12) < 2, `pitch ${down.downDeg}`);
  assert.ok(Math.abs(down.towardsImageRightDeg) < 2);
});

test('depth-explained residual: the part of a planar misfit that follows depth, nothing of one that does not', () => {
  const depth = [0, 1, 2, 3, 4, 5];
  const predicted = depth.map((_, i) => ({ x: 10 * i, y: 5 }));
  // Residuals exactly 0.5·(z − z̄) along x: the whole misfit follows depth.
  const following = predicted.map((p, i) => ({ x: p.x + 0.5 * (depth[i]! - 2.5), y: p.y }));
  const rmsDepth = Math.sqrt(depth.reduce((s, z) => s + (z - 2.5) ** 2, 0) / depth.length);
  assert.ok(Math.abs(depthExplainedResidual(predicted, following, depth) - 0.5 * rmsDepth) < 1e-12);
  // A uniform shift owes nothing to depth.
  const shifted = predicted.map((p) => ({ x: p.x + 3, y: p.y - 2 }));
  assert.ok(depthExplainedResidual(predicted, shifted, depth) < 1e-12);
  // Flat depth explains nothing.
  assert.equal(
    depthExplainedResidual(
      predicted,
      following,
      depth.map(() => 7),
    ),
    0,
  );
});

test('pair fits are kept per pair of analyses: asked again, in another burst or order, they are the same numbers', () => {
  const [a, b, c] = [frame({ yawDeg: -6, seed: 11 }), frame({ yawDeg: 4, seed: 12 }), frame({ yawDeg: 9, pitchDeg: 5, seed: 13 })];
  const first = pairGeometry([a, b, c], 0, 2);
  const again = pairGeometry([c, b, a, c], 2, 3);
  assert.deepEqual({ ...again, from: 0, to: 2 }, first);
  assert.deepEqual([again.from, again.to], [2, 3], 'the indices are those of the burst asked about');
  // The same numbers as a fresh computation on copies of the analyses (nothing cached for them).
  assert.deepEqual({ ...pairGeometry([{ ...a }, { ...c }], 0, 1), to: 2 }, first);
  assert.notDeepEqual(pairGeometry([c, a], 0, 1), first, 'an ordered pair: the other way round is another fit');
  const rotation = relativeHeadRotation([a, c], 0, 1);
  assert.deepEqual(relativeHeadRotation([c, b, a], 2, 0), rotation);
  assert.deepEqual(relativeHeadRotation([{ ...a }, { ...c }], 0, 1), rotation);
});
