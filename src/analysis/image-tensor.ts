/**
 * The image as the nets' input: a [1, height, width, 3] float32 tensor of the 0–255 pixel values.
 * Environment-neutral (the server's and the browser's analysis both build their input here).
 */
import type { DataType, Tensor4D, TensorInfo } from '@tensorflow/tfjs-core';
import type { RgbImage } from '../imaging/rgb-image.js';

/** The parts of tfjs used here (Human exposes its tfjs as `any`). */
export interface TensorFactory {
  tensor4d(values: Uint8Array, shape: [number, number, number, number], dtype: 'float32'): Tensor4D;
  backend(): unknown;
  engine(): { makeTensorFromTensorInfo(info: TensorInfo, backend: unknown): Tensor4D };
}

/** What the WASM backend's own kernels use to allocate an output in its heap and write into it. */
interface HeapBackend {
  makeOutput(shape: number[], dtype: DataType): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Float32Array;
}

/**
 * `tf.tensor4d(pixels, …, 'float32')` first converts the bytes into a new Float32Array (30 MB for a
 * 1920×1280 photo), which the WASM backend then copies into its heap. A fresh allocation that size
 * on every call, with its page faults and the garbage collections its external memory provokes,
 * cost more than all the nets: analysing the bundled 1920 px group photo took 135–162 ms of CPU, of
 * which 41–51 remain when the pixels are written straight into a tensor allocated in the WASM heap,
 * the way the backend's kernels fill their outputs (2026-11-30, this project's 2-core machine). The
 * values are the same floats either way (`image-tensor.test.ts`). Any other backend gets the plain call.
 */
export function imageTensor(tf: TensorFactory, image: RgbImage): Tensor4D {
  const shape: [number, number, number, number] = [1, image.height, image.width, 3];
  const backend = tf.backend();
  if (!isHeapBackend(backend)) return tf.tensor4d(image.data, shape, 'float32');
  const info = backend.makeOutput(shape, 'float32');
  backend.typedArrayFromHeap(info).set(image.data);
  return tf.engine().makeTensorFromTensorInfo(info, backend);
}

function isHeapBackend(backend: unknown): backend is HeapBackend {
  const candidate = backend as Partial<HeapBackend> | null;
  return typeof candidate?.makeOutput === 'function' && typeof candidate.typedArrayFromHeap === 'function';
}
