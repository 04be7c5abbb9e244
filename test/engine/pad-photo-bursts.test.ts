/**
 * Burst liveness against flat-photo attacks built from real photos (deepface fixtures), through the
 * real analyzer: the mirror burst, a duplicated frame, planar moves of the print, and a
 * synthetic whole-head render of a face turning (a stand-in for a real head, see docs/liveness.md).
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { HumanFaceAnalyzer } from '../../src/analysis/human-analyzer.js';
import { assessBurstLiveness } from '../../src/pad/burst-liveness.js';
import { trackLandmarks } from '../../src/pad/burst-tracks.js';
import { attackBurst } from '../../src/eval/pad/attack-species.js';
import { bonaFidePoses, buildHeadModel, renderHead } from '../../src/eval/pad/synthetic-head-render.js';
import { analyseBurstFrames, cameraRoundTrip } from '../../src/eval/pad/pad-features.js';
import { decodeImage } from '../../src/imaging/decode-image.js';
import { deepface, sharedDataMissingReason } from '../shared-data.js';
import sharp from 'sharp';

test('flat-photo bursts from real photos are refused', { skip: sharedDataMissingReason(), timeout: 600_000 }, async (t) => {
  const analyzer = await HumanFaceAnalyzer.create();
  const analyse = (image: Parameters<HumanFaceAnalyzer['analyze']>[0]) => analyzer.analyze(image);
  const judge = async (frames: readonly Uint8Array[]) => {
    const analysed = await analyseBurstFrames(frames, analyse);
    assert.ok(analysed, 'every frame shows a face');
    // As the service judges uploaded frames: landmarks followed through the pixels.
    return assessBurstLiveness(analysed.analyses, {}, trackLandmarks(analysed.images, analysed.analyses));
  };

  await t.test("the issue's attack: [photo, mirror image, photo] of a turned face is refused as mirrored", async () => {
    // img5 and img10: the head turned a little (|yaw| ≥ 4°), so the mirror image looks turned the other way.
    for (const file of ['img5.jpg', 'img10.jpg']) {
      const photo = deepface(file);
      const mirror = new Uint8Array(await sharp(Buffer.from(photo)).flop().jpeg({ quality: 95 }).toBuffer());
      const verdict = await judge([photo, mirror, photo]);
      assert.equal(verdict.live, false, file);
      assert.ok(verdict.reasons.includes('mirrored_frames'), `${file}: ${verdict.reasons.join()}`);
    }
  });

  await t.test('a duplicated frame is refused outright', async () => {
    const photo = deepface('img5.jpg');
    const other = new Uint8Array(await sharp(Buffer.from(photo)).rotate(6, { background: '#808080' }).jpeg().toBuffer());
    const verdict = await judge([photo, other, photo]);
    assert.equal(verdict.live, false);
    assert.ok(verdict.reasons.includes('duplicate_frames'), verdict.reasons.join());
    assert.deepEqual(verdict.evidence.duplicatePairs, [[0, 2]]);
  });

  await t.test('rotated, squeezed and perspective-tilted prints are refused: no parallax', async () => {
    const decoded = await decodeImage(deepface('img5.jpg'));
    let seed = 7;
    const random = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (const species of ['rotation', 'squeeze', 'tilt'] as const) {
      const frames = await Promise.all(attackBurst(decoded.image, species, 3, random).map(cameraRoundTrip));
      const verdict = await judge(frames);
      assert.equal(verdict.live, false, species);
      assert.equal(verdict.evidence.parallaxDetected, false, `${species}: ${JSON.stringify(verdict.evidence.parallax)}`);
    }
  });

  // One face, not a rate: the stand-ins' BPCER over lfw-dev and deepface is in docs/liveness.md. This pins
  // that the whole-head perspective render of a turn, followed through its pixels, shows parallax: the
  // depth-driven residual and the rigid model's win both clear the policy, and no pair is taken for a mirror.
  await t.test('a synthetic whole-head render of the face turning 30° shows tracked parallax and is live', async () => {
    const decoded = await decodeImage(deepface('img1.jpg'));
    const [face] = await analyse(decoded.image);
    assert.ok(face);
    const head = buildHeadModel(decoded.image, face);
    const frames = await Promise.all(bonaFidePoses('turn', 7, 1).map((pose) => cameraRoundTrip(renderHead(head, pose))));
    const verdict = await judge(frames);
    assert.equal(verdict.live, true, `${verdict.reasons.join()} ${JSON.stringify(verdict.evidence.parallax)}`);
    assert.equal(verdict.evidence.parallaxDetected, true);
    assert.equal(verdict.evidence.parallax?.source, 'tracked');
    assert.deepEqual(verdict.evidence.mirroredPairs, []);
  });

  await t.test('a synthetic blink (lids lowered over the eyes, head still) is seen in the pixels and is live', async () => {
    const decoded = await decodeImage(deepface('img1.jpg'));
    const [face] = await analyse(decoded.image);
    assert.ok(face);
    const head = buildHeadModel(decoded.image, face);
    const frames = await Promise.all(bonaFidePoses('blink', 7, 1).map((pose) => cameraRoundTrip(renderHead(head, pose))));
    const verdict = await judge(frames);
    assert.equal(verdict.evidence.blinkDetected, true, JSON.stringify(verdict.evidence.eyeChange));
    assert.equal(verdict.live, true, verdict.reasons.join());
  });

  await t.test('the render at pose 0 is the photo: the stand-in starts from the camera frame itself', async () => {
    const decoded = await decodeImage(deepface('img1.jpg'));
    const [face] = await analyse(decoded.image);
    assert.ok(face);
    const rendered = renderHead(buildHeadModel(decoded.image, face), { yawDeg: 0, pitchDeg: 0, eyesClosed: 0 });
    let total = 0;
    for (let i = 0; i < rendered.data.length; i += 1) total += Math.abs(rendered.data[i]! - decoded.image.data[i]!);
    assert.ok(total / rendered.data.length < 1.5, `mean absolute difference ${total / rendered.data.length}`);
  });
});
