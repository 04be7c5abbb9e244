import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FaceAnalysis, HeadPose, Point2 } from '../analysis/face-analysis.js';
import { InvalidArgument, QualityTooLow } from '../errors/domain-errors.js';
import type { RgbImage } from '../imaging/rgb-image.js';
import {
  assessQuality,
  DEFAULT_QUALITY_POLICY,
  faceRegion,
  interEyeDistance,
  requireAcceptableQuality,
  type QualityReasonCode,
  type QualityReport,
} from './assess-quality.js';
import { LEFT_EYE_LANDMARKS, RIGHT_EYE_LANDMARKS, type EyeLandmarks } from './eye-openness.js';

/** 400×400 image of deterministic noise with luma in [mean − spread, mean + spread]: textured, so sharp. */
function noiseImage(mean = 128, spread = 60): RgbImage {
  let seed = 7;
  const data = new Uint8Array(400 * 400 * 3);
  for (let i = 0; i < data.length; i += 3) {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    const v = Math.max(0, Math.min(255, Math.round(mean + ((seed / 2 ** 32) * 2 - 1) * spread)));
    data.fill(v, i, i + 3);
  }
  return { width: 400, height: 400, data };
}

function flatImage(luma: number): RgbImage {
  return { width: 400, height: 400, data: new Uint8Array(400 * 400 * 3).fill(luma) };
}

interface FaceSpec {
  readonly interEye?: number;
  readonly pose?: Partial<HeadPose>;
  /** Lid gap as a fraction of eye width (= eye aspect ratio). */
  readonly ear?: number;
  readonly iris?: boolean;
}

/** A FaceAnalysis whose eyes are placed so the inter-pupil distance and eye aspect ratio are exact. */
function face({ interEye = 60, pose = {}, ear = 0.3, iris = true }: FaceSpec = {}): FaceAnalysis {
  const cx = 200,
    cy = 180;
  const eyeWidth = interEye * 0.45;
  const mesh: Point2[] = Array.from({ length: iris ? 478 : 468 }, () => ({ x: cx, y: cy + 40 }));
  const place = (eye: EyeLandmarks, ex: number, outerFirst: boolean): void => {
    const [a, b] = eye.corners;
    mesh[a] = { x: ex + (outerFirst ? -1 : 1) * (eyeWidth / 2), y: cy };
    mesh[b] = { x: ex + (outerFirst ? 1 : -1) * (eyeWidth / 2), y: cy };
    eye.lidPairs.forEach(([upper, lower], k) => {
      const x = ex + (k - 1) * (eyeWidth / 4);
      mesh[upper] = { x, y: cy - (ear * eyeWidth) / 2 };
      mesh[lower] = { x, y: cy + (ear * eyeWidth) / 2 };
    });
  };
  place(RIGHT_EYE_LANDMARKS, cx - interEye / 2, true);
  place(LEFT_EYE_LANDMARKS, cx + interEye / 2, false);
  // Face oval extremes (forehead 10, chin 152, cheeks 234/454) span the 200×200 face box.
  mesh[10] = { x: 200, y: 100 };
  mesh[152] = { x: 200, y: 300 };
  mesh[234] = { x: 100, y: 200 };
  mesh[454] = { x: 300, y: 200 };
  if (iris) {
    mesh[468] = { x: cx - interEye / 2, y: cy };
    mesh[473] = { x: cx + interEye / 2, y: cy };
  }
  return {
    box: { x: 100, y: 100, width: 200, height: 200 },
    detectionScore: 0.95,
    mesh,
    meshDepth: mesh.map(() => 0),
    pose: { yaw: 0, pitch: 0, roll: 0, ...pose },
    presentation: { antispoof: 0.9, liveness: 0.9 },
  };
}

const codes = (report: QualityReport): QualityReasonCode[] => report.reasons.map((r) => r.code);

/** The documented invariant: score < 0.5 exactly when some check failed. */
function assertConsistent(report: QualityReport): void {
  assert.equal(report.acceptable, report.reasons.length === 0);
  assert.ok(report.score >= 0 && report.score <= 1);
  assert.equal(report.score >= 0.5, report.acceptable, `score ${report.score} vs acceptable ${report.acceptable}`);
  assert.equal(report.score, Math.min(...Object.values(report.subScores)));
}

const textured = noiseImage();

test('a good frontal, sharp, well-lit face with open eyes is acceptable', () => {
  const report = assessQuality(textured, face());
  assert.deepEqual(report.reasons, []);
  assert.equal(report.acceptable, true);
  assert.ok(Math.abs(report.metrics.interEyePx - 60) < 1e-9);
  assert.ok(Math.abs(report.metrics.eyeAspectRatio - 0.3) < 1e-9);
  assert.ok(report.metrics.sharpness > DEFAULT_QUALITY_POLICY.minSharpness * 2);
  assert.ok(Math.abs(report.metrics.meanLuma - 128) < 2);
  assert.equal(report.subScores.size, 1);
  assert.equal(report.score, 1);
  assertConsistent(report);
});

test('tiny face: "face too small: inter-eye 18 px < 30 px"', () => {
  const report = assessQuality(textured, face({ interEye: 18 }));
  assert.deepEqual(codes(report), ['face_too_small']);
  assert.equal(report.reasons[0]!.message, 'face too small: inter-eye 18 px < 30 px');
  assert.ok(Math.abs(report.subScores.size - 0.3) < 1e-9);
  assertConsistent(report);
});

test('inter-eye distance falls back to eye-corner midpoints without iris points', () => {
  const withoutIris = face({ interEye: 50, iris: false });
  assert.equal(withoutIris.mesh.length, 468);
  assert.ok(Math.abs(interEyeDistance(withoutIris.mesh) - 50) < 1e-9);
  assert.deepEqual(assessQuality(textured, withoutIris).reasons, []);
  assert.throws(() => interEyeDistance(withoutIris.mesh.slice(0, 100)), InvalidArgument);
});

test('head pose: yaw and pitch beyond 25° are refused, roll only beyond 45°', () => {
  const yaw = assessQuality(textured, face({ pose: { yaw: -38 } }));
  assert.deepEqual(codes(yaw), ['yaw_too_large']);
  assert.match(yaw.reasons[0]!.message, /yaw 38° > 25°/);
  assertConsistent(yaw);

  const pitch = assessQuality(textured, face({ pose: { pitch: 25.4 } }));
  assert.deepEqual(codes(pitch), ['pitch_too_large']);
  assert.match(pitch.reasons[0]!.message, /pitch 25\.4° > 25°/);
  assertConsistent(pitch);

  const roll40 = assessQuality(textured, face({ pose: { roll: 40 } }));
  assert.deepEqual(roll40.reasons, [], 'roll is undone by alignment: 40° is fine');
  assertConsistent(roll40);
  const roll50 = assessQuality(textured, face({ pose: { roll: 50 } }));
  assert.deepEqual(codes(roll50), ['roll_too_large']);
  assertConsistent(roll50);

  const atLimit = assessQuality(textured, face({ pose: { yaw: 25 } }));
  assert.deepEqual(atLimit.reasons, [], 'the limit itself is allowed');
  assert.equal(atLimit.subScores.pose, 0.5);
});

test('closed eyes are refused', () => {
  const report = assessQuality(textured, face({ ear: 0.06 }));
  assert.deepEqual(codes(report), ['eyes_closed']);
  assert.match(report.reasons[0]!.message, /^eyes closed: eye aspect ratio 0\.06 < 0\.12$/);
  assertConsistent(report);
});

test('blur and exposure are measured on the image inside the face box', () => {
  const flat = assessQuality(flatImage(128), face());
  assert.deepEqual(codes(flat), ['too_blurry']);
  assert.match(flat.reasons[0]!.message, /^image too blurry: sharpness 0 < 10$/);
  assertConsistent(flat);

  const dark = assessQuality(noiseImage(20, 20), face());
  assert.deepEqual(codes(dark), ['underexposed']);
  assert.ok(Math.abs(dark.metrics.meanLuma - 20) < 1);
  assert.match(dark.reasons[0]!.message, /^underexposed: mean brightness \d+(\.\d)? < 40$/);
  assertConsistent(dark);

  const bright = assessQuality(noiseImage(240, 15), face());
  assert.deepEqual(codes(bright), ['overexposed']);
  assert.match(bright.reasons[0]!.message, /^overexposed: mean brightness 2\d\d(\.\d)? > 220/);
  assertConsistent(bright);

  // Mid-grey on average but mostly clipped: half black, half white in the box would be 50% each (allowed);
  // 70% pure white is not.
  const clipped = noiseImage(128, 60);
  for (let y = 100; y < 300; y++) clipped.data.fill(255, (y * 400 + 100) * 3, (y * 400 + 240) * 3);
  const report = assessQuality(clipped, face(), { maxMeanLuma: 250 });
  assert.ok(report.metrics.clippedBright > 0.69 && report.metrics.clippedBright < 0.71);
  assert.deepEqual(codes(report), ['overexposed']);
  assert.match(report.reasons[0]!.message, /70% of the face is white > 50%/);
  assertConsistent(report);
});

test('sharpness and exposure use the face-mesh region, not the looser detector box', () => {
  const f = face();
  assert.deepEqual(faceRegion(f), { x: 100, y: 100, width: 200, height: 200 });
  // Studio portrait: the detector box (20..380) takes in a pure-white backdrop around the face.
  const studio = noiseImage(128, 60);
  for (let y = 0; y < 400; y++) {
    for (let x = 0; x < 400; x++) {
      if (x < 100 || x >= 300 || y < 100 || y >= 300) studio.data.fill(255, (y * 400 + x) * 3, (y * 400 + x) * 3 + 3);
    }
  }
  const loose = { ...f, box: { x: 20, y: 20, width: 360, height: 360 } };
  const report = assessQuality(studio, loose);
  assert.deepEqual(report.reasons, []);
  assert.equal(report.metrics.clippedBright, 0);
  assert.ok(Math.abs(report.metrics.meanLuma - 128) < 2);
  // A degenerate mesh falls back to the detector box.
  const collapsed = { ...f, mesh: f.mesh.map(() => ({ x: 5, y: 5 })) };
  assert.deepEqual(faceRegion(collapsed), f.box);
});

test('several failures are all reported, in a fixed order', () => {
  const report = assessQuality(flatImage(10), face({ interEye: 12, pose: { yaw: 40, pitch: -30 }, ear: 0.02 }));
  assert.deepEqual(codes(report), ['face_too_small', 'yaw_too_large', 'pitch_too_large', 'too_blurry', 'underexposed', 'eyes_closed']);
  assert.equal(report.acceptable, false);
  assert.ok(report.score < 0.5);
});

test('policy overrides apply; invalid policies are refused', () => {
  const tiny = face({ interEye: 18 });
  assert.deepEqual(assessQuality(textured, tiny, { minInterEyePx: 15 }).reasons, []);
  assert.deepEqual(codes(assessQuality(textured, face({ pose: { yaw: 20 } }), { maxAbsYaw: 15 })), ['yaw_too_large']);
  assert.throws(() => assessQuality(textured, tiny, { minSharpness: -1 }), InvalidArgument);
  assert.throws(() => assessQuality(textured, tiny, { minMeanLuma: 200, maxMeanLuma: 100 }), InvalidArgument);
  assert.throws(() => assessQuality(textured, tiny, { bogus: 1 } as never), InvalidArgument);
});

test('requireAcceptableQuality throws QualityTooLow with the reason codes', () => {
  assert.doesNotThrow(() => requireAcceptableQuality(assessQuality(textured, face())));
  const report = assessQuality(textured, face({ interEye: 18, pose: { yaw: 38 } }));
  assert.throws(
    () => requireAcceptableQuality(report),
    (e: unknown) =>
      e instanceof QualityTooLow &&
      e.code === 'quality_too_low' &&
      JSON.stringify(e.details.reasons) === JSON.stringify(['face_too_small', 'yaw_too_large']) &&
      /inter-eye 18 px < 30 px; .*yaw 38° > 25°/.test(e.message),
  );
});
