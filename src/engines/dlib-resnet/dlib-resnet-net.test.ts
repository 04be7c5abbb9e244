import test from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import sharp from 'sharp';
import type * as faceapiTypes from '@vladmandic/face-api';
import { initTensorflow } from '../../runtime/tf-runtime.js';
import { faceApiDistDir, faceApiModelDir, requireFromProject } from '../../runtime/package-paths.js';
import { DlibResnetNet } from './dlib-resnet-net.js';

/** A real face photo shipped inside an installed package, resized to the net's 150×150 input. */
async function sampleChip(): Promise<Float32Array> {
  const { data } = await sharp(path.join(faceApiDistDir(), '..', 'demo', 'sample1.jpg'))
    .resize(150, 150, { fit: 'cover' })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return Float32Array.from(data);
}

test('the fused network computes what face-api computes, for a batch of two chips', { timeout: 120_000 }, async () => {
  const tf = await initTensorflow();
  const faceapi = requireFromProject<typeof faceapiTypes>(path.join(faceApiDistDir(), 'face-api.node-wasm.js'));
  const reference = new faceapi.FaceRecognitionNet();
  await reference.loadFromDisk(faceApiModelDir());
  const fused = await DlibResnetNet.load(tf);

  const photo = await sampleChip();
  const mirrored = new Float32Array(photo.length);
  for (let y = 0; y < 150; y++)
    for (let x = 0; x < 150; x++) mirrored.set(photo.subarray((y * 150 + x) * 3, (y * 150 + x) * 3 + 3), (y * 150 + 149 - x) * 3);

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
