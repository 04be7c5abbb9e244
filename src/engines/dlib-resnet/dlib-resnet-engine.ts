import { initTensorflow, type Tf } from '../../runtime/tf-runtime.js';
import { fitSimilarityTransform } from '../../alignment/similarity-transform.js';
import { extractChip, mirrorChip } from '../../alignment/extract-chip.js';
import { chipLandmarkPairs, DLIB_RESNET_CHIP, type AlignmentLandmarks } from '../../alignment/dlib-chip-geometry.js';
import type { RgbImage } from '../../imaging/rgb-image.js';
import type { EmbedInput, FaceEngine } from '../engine-port.js';
import { ANALYSIS_REVISION, type FaceAnalysis } from '../../analysis/face-analysis.js';
import { DlibResnetNet } from './dlib-resnet-net.js';

export interface DlibResnetOptions {
  readonly id: string;
  readonly landmarks: AlignmentLandmarks;
  /** Average the descriptors of the chip and its mirror image (test-time augmentation). */
  readonly mirror: boolean;
}

/**
 * dlib's 29-layer ResNet (128-d, trained on dlib's aligned 150×150 chips), with face-api's tfjs
 * port of the weights run as fused convolutions (DlibResnetNet). Human's detector and dense mesh
 * replace face-api's SSD detector and 68-point model: better recall, and a chip aligned on many
 * landmarks instead of a loose crop.
 */
export class DlibResnetEngine implements FaceEngine {
  readonly id: string;
  readonly version: string;
  readonly dimension = 128;
  readonly dtype = 'float32' as const;
  readonly metric = 'cosine' as const;
  readonly needs = {};
  private net: DlibResnetNet | undefined;
  private tf: Tf | undefined;

  constructor(private readonly options: DlibResnetOptions) {
    this.id = options.id;
    this.version = `1.0+${options.landmarks}${options.mirror ? '+mirror' : ''}+${ANALYSIS_REVISION}`;
  }

  async load(): Promise<void> {
    if (this.net) return;
    this.tf = await initTensorflow();
    this.net = await DlibResnetNet.load(this.tf);
  }

  alignedChip(image: RgbImage, face: FaceAnalysis): RgbImage {
    const pairs = chipLandmarkPairs(face.mesh, DLIB_RESNET_CHIP, this.options.landmarks);
    return extractChip(image, fitSimilarityTransform(pairs.image, pairs.chip), DLIB_RESNET_CHIP.size);
  }

  async embed({ image, face }: EmbedInput): Promise<Float32Array> {
    const net = this.net;
    const tf = this.tf;
    if (!net || !tf) throw new Error('dlib-resnet engine used before load()');
    const chip = this.alignedChip(image, face);
    const chips = this.options.mirror ? [chip, mirrorChip(chip)] : [chip];
    const size = DLIB_RESNET_CHIP.size;
    const pixels = new Float32Array(chips.length * size * size * 3);
    chips.forEach((c, i) => pixels.set(c.data, i * size * size * 3));
    const input = tf.tensor4d(pixels, [chips.length, size, size, 3]);
    try {
      const output = net.forward(input);
      const rows = await output.data();
      output.dispose();
      const descriptor = new Float32Array(this.dimension);
      for (let i = 0; i < rows.length; i++) descriptor[i % this.dimension]! += rows[i]!;
      return descriptor;
    } finally {
      input.dispose();
    }
  }
}
