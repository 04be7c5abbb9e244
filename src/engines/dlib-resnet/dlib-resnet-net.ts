import path from 'node:path';
import type * as faceapiTypes from '@vladmandic/face-api';
import type { Tensor1D, Tensor2D, Tensor4D } from '@tensorflow/tfjs';
import type { Tf } from '../../runtime/tf-runtime.js';
import { faceApiDistDir, faceApiModelDir, requireFromProject } from '../../runtime/package-paths.js';

type FaceApi = typeof faceapiTypes;

/** face-api's own FaceRecognitionNet with the weights from its package: the source of our folded weights. */
export async function loadFaceApiRecognitionNet(): Promise<faceapiTypes.FaceRecognitionNet> {
  const faceapi = requireFromProject<FaceApi>(path.join(faceApiDistDir(), 'face-api.node-wasm.js'));
  const net = new faceapi.FaceRecognitionNet();
  await net.loadFromDisk(faceApiModelDir());
  return net;
}

/** One convolution with its affine "scale" layer folded in: conv(x, W·s) + (b·s + β). */
interface FoldedConv {
  readonly filter: Tensor4D;
  readonly bias: Tensor1D;
}

interface FoldedBlock {
  readonly conv1: FoldedConv;
  readonly conv2: FoldedConv;
}

interface FoldedParams {
  readonly stem: FoldedConv;
  readonly stages: readonly { readonly block: FoldedBlock; readonly down: boolean }[];
  readonly fc: Tensor2D;
}

/** dlib's preprocessing as face-api ports it: subtract the training set's mean RGB, divide by 255. */
const MEAN_RGB = [122.782, 117.001, 104.298] as const;

/** The residual stages in order; `down` halves the resolution and doubles the channels. */
const STAGES: readonly [string, boolean][] = [
  ['conv32_1', false],
  ['conv32_2', false],
  ['conv32_3', false],
  ['conv64_down', true],
  ['conv64_1', false],
  ['conv64_2', false],
  ['conv64_3', false],
  ['conv128_down', true],
  ['conv128_1', false],
  ['conv128_2', false],
  ['conv256_down', true],
  ['conv256_1', false],
  ['conv256_2', false],
  ['conv256_down_out', true],
];

interface FaceApiConvParams {
  conv: { filters: Tensor4D; bias: Tensor1D };
  scale: { weights: Tensor1D; biases: Tensor1D };
}

/**
 * dlib's 29-layer face-recognition ResNet with face-api's weights, run as fused convolutions.
 * face-api executes each layer as conv → add bias → multiply → add → relu, five passes over the
 * activations, and pads the shortcut with `concat` of zero tensors. Folding the affine layer into
 * the filters and bias lets tfjs run conv + bias + relu as one kernel, and padding replaces the
 * concatenations: the same function, with a quarter less time on the WASM backend.
 */
export class DlibResnetNet {
  private constructor(
    private readonly tf: Tf,
    private readonly params: FoldedParams,
  ) {}

  static async load(tf: Tf): Promise<DlibResnetNet> {
    const net = await loadFaceApiRecognitionNet();
    const raw = net.params as unknown as Record<string, unknown>;
    const fold = (p: FaceApiConvParams): FoldedConv =>
      tf.tidy(() => ({
        filter: tf.mul(p.conv.filters, p.scale.weights) as Tensor4D,
        bias: tf.add(tf.mul(p.conv.bias, p.scale.weights), p.scale.biases) as Tensor1D,
      }));
    const block = (name: string): FoldedBlock => {
      const p = raw[name] as { conv1: FaceApiConvParams; conv2: FaceApiConvParams };
      return { conv1: fold(p.conv1), conv2: fold(p.conv2) };
    };
    const params: FoldedParams = {
      stem: fold(raw.conv32_down as FaceApiConvParams),
      stages: STAGES.map(([name, down]) => ({ block: block(name), down })),
      fc: tf.clone(raw.fc as Tensor2D),
    };
    net.dispose();
    return new DlibResnetNet(tf, params);
  }

  /** 150×150 RGB chips (0–255, NHWC) → one 128-d descriptor per chip, not normalized. */
  forward(chips: Tensor4D): Tensor2D {
    const tf = this.tf;
    const { stem, stages, fc } = this.params;
    return tf.tidy(() => {
      const normalized = tf.div(tf.sub(chips, tf.tensor1d([...MEAN_RGB])), 255) as Tensor4D;
      let out = this.conv(normalized, stem, 2, 'valid', true);
      out = tf.maxPool(out, 3, 2, 'valid');
      for (const { block, down } of stages) out = down ? this.residualDown(out, block) : this.residual(out, block);
      return tf.matMul(tf.mean(out, [1, 2]) as Tensor2D, fc);
    });
  }

  private conv(x: Tensor4D, p: FoldedConv, stride: 1 | 2, pad: 'same' | 'valid', relu: boolean): Tensor4D {
    return this.tf.fused.conv2d({ x, filter: p.filter, strides: stride, pad, bias: p.bias, activation: relu ? 'relu' : 'linear' });
  }

  private residual(x: Tensor4D, p: FoldedBlock): Tensor4D {
    const tf = this.tf;
    const branch = this.conv(this.conv(x, p.conv1, 1, 'same', true), p.conv2, 1, 'same', false);
    return tf.relu(tf.add(branch, x)) as Tensor4D;
  }

  /**
   * The shortcut is a 2×2 average pool with its channels doubled by zeros; when the strided
   * 'valid' convolution comes out one pixel short of the pool (odd sizes), the branch gets a zero
   * row and column at the bottom and right, exactly where face-api concatenates them.
   */
  private residualDown(x: Tensor4D, p: FoldedBlock): Tensor4D {
    const tf = this.tf;
    let branch = this.conv(this.conv(x, p.conv1, 2, 'valid', true), p.conv2, 1, 'same', false);
    const pooled = tf.avgPool(x, 2, 2, 'valid');
    const missingRows = pooled.shape[1] - branch.shape[1];
    const missingCols = pooled.shape[2] - branch.shape[2];
    if (missingRows > 0 || missingCols > 0) {
      branch = tf.pad(branch, [
        [0, 0],
        [0, missingRows],
        [0, missingCols],
        [0, 0],
      ]);
    }
    const extraChannels = branch.shape[3] - pooled.shape[3];
    const shortcut =
      extraChannels > 0
        ? tf.pad(pooled, [
            [0, 0],
            [0, 0],
            [0, 0],
            [0, extraChannels],
          ])
        : pooled;
    return tf.relu(tf.add(shortcut, branch)) as Tensor4D;
  }
}
