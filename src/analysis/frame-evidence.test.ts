import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FaceAnalysis } from './face-analysis.js';
import { fromFrameEvidence, toFrameEvidence } from './frame-evidence.js';

test('frame evidence carries a face analysis through JSON as point pairs and back', () => {
  const mesh = Array.from({ length: 468 }, (_, i) => ({ x: 100 + (i % 20) * 1.25, y: 80 + Math.floor(i / 20) * 2.5 }));
  const face: FaceAnalysis = {
    box: { x: 100, y: 80, width: 23.75, height: 57.5 },
    detectionScore: 0.97,
    detector: 'short-range',
    mesh,
    meshDepth: mesh.map((_, i) => 0.5 - i / 100),
    pose: { yaw: 3.5, pitch: -2, roll: 1 },
    presentation: { antispoof: 0.8, liveness: 0.9 },
  };
  const evidence = JSON.parse(JSON.stringify(toFrameEvidence(face, { width: 640, height: 480 })));
  assert.equal(evidence.width, 640);
  assert.deepEqual(evidence.mesh[1], [101.25, 80]);
  const { detector: _dropped, ...withoutDetector } = face;
  assert.deepEqual(fromFrameEvidence(evidence), withoutDetector);
});
