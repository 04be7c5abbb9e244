import test from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import sharp from 'sharp';
import { initTensorflow } from '../../runtime/tf-runtime.js';
import { faceApiDistDir } from '../../runtime/package-paths.js';
import { mirrorChip } from '../../alignment/extract-chip.js';
import type { RgbImage } from '../../imaging/rgb-image.js';
import { DlibResnetNet, loadFaceApiRecognitionNet } from './dlib-resnet-net.js';

/** A real face photo shipped inside an installed package, resized to the net's 150×150 input. */
async function sampleChip(): Promise<RgbImage> {
  const { data } = await sharp(path.join(faceApiDistDir(), '..', 'demo', 'sample1.jpg'))
    .resize(150, 150, { fit: 'cover' })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: 150, height: 150, data: new Uint8Array(data) };
}

test('the fused network computes what face-api computes, for a batch of two chips', { timeout: 120_000 }, async () => {
  const tf = await initTensorflow();
  const reference = await loadFaceApiRecognitionNet();
  const fused = await DlibResnetNet.load(tf);

  const chip = await sampleChip();
  const photo = Float32Array.from(chip.data);
  const mirrored = Float32Array.from(mirrorChip(chip).data);

  const ours = fused.forward(tf.tensor4d([...photo, ...mirrored], [2, 150, 150, 3]));
  const theirs = await reference.forward([tf.tensor3d(photo, [150, 150, 3]), tf.tensor3d(mirrored, [150, 150, 3])] as never);
  const a = await ours.data();
  const b = await theirs.data();
  assert.equal(a.length, 256);
  let maxDifference = 0;
  for (let i = 0; i < a.length; i++) maxDifference = Math.max(maxDifference, Math.abs(a[i]! - b[i]!));
  assert.ok(maxDifference < 1e-5, `descriptors differ by up to ${maxDifference}`);
  // The two rows are different faces to the net (mirror), so a broken batch axis would show.
  assert.ok(Math.abs(a[0]! - a[128]!) + Math.abs(a[1]! - a[129]!) > 1e-4, 'both rows equal: batch not honoured');
});
