import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initTensorflow } from '../runtime/tf-runtime.js';
import type { RgbImage } from '../imaging/rgb-image.js';
import { imageTensor, type TensorFactory } from './image-tensor.js';

function noise(width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  let state = 7;
  for (let i = 0; i < data.length; i++) {
    state = (state * 1103515245 + 12345) >>> 0;
    data[i] = state >>> 24;
  }
  data.set([0, 255, 128], 0); // the extremes too
  return { width, height, data };
}

test('the WASM heap tensor holds exactly the floats tf.tensor4d makes, in the same shape', async () => {
  const tf = await initTensorflow();
  assert.equal(tf.getBackend(), 'wasm');
  const image = noise(97, 61);
  const before = tf.memory().numTensors;
  const direct = imageTensor(tf as unknown as TensorFactory, image);
  const plain = tf.tensor4d(image.data, [1, 61, 97, 3], 'float32');
  assert.deepEqual(direct.shape, [1, 61, 97, 3]);
  assert.equal(direct.dtype, 'float32');
  assert.deepEqual(direct.dataSync(), plain.dataSync());
  assert.deepEqual(direct.dataSync(), Float32Array.from(image.data));
  // It is an ordinary tensor: ops read it, and disposing it frees it.
  const sum = tf.sum(direct);
  assert.equal(
    sum.dataSync()[0],
    image.data.reduce((s, v) => s + v, 0),
  );
  sum.dispose();
  direct.dispose();
  plain.dispose();
  assert.equal(tf.memory().numTensors, before);
});

test('a backend that cannot allocate in a heap gets the plain tf.tensor4d', () => {
  const image = noise(4, 3);
  let plainCalls = 0;
  const sentinel = {} as ReturnType<TensorFactory['tensor4d']>;
  const tf: TensorFactory = {
    tensor4d: (values, shape, dtype) => {
      plainCalls++;
      assert.equal(values, image.data);
      assert.deepEqual(shape, [1, 3, 4, 3]);
      assert.equal(dtype, 'float32');
      return sentinel;
    },
    backend: () => ({ name: 'webgl-like' }),
    engine: () => assert.fail('the engine is only needed for a heap tensor'),
  };
  assert.equal(imageTensor(tf, image), sentinel);
  assert.equal(plainCalls, 1);
});
