import { arcfaceFivePoints } from '../../alignment/arcface-geometry.js';
import { extractChip } from '../../alignment/extract-chip.js';
import { fitSimilarityTransform } from '../../alignment/similarity-transform.js';
import type { FaceAnalysis, Point2 } from '../../analysis/face-analysis.js';
import type { RgbImage } from '../../imaging/rgb-image.js';
import { ARCFACE_CHIP_FILTER, cardReferencePoints, type ModelCard } from './model-card.js';

/**
 * How an ArcFace-style net's input is made from an analysed face, as its model card says: 5-point
 * similarity alignment of the mesh onto the card's reference, the area-filtered bilinear warp, then
 * channel order and (pixel − mean) / std into NCHW floats. Environment-neutral: the server engine
 * (onnxruntime-node) and the browser engine (onnxruntime-web) fill their input tensors with this.
 */
export class ArcfaceInput {
  readonly size: number;
  private readonly reference: readonly Point2[];
  private readonly scale: [number, number, number];
  private readonly offset: [number, number, number];
  /** Which RGB channel feeds model channel c. */
  private readonly sourceChannel: [number, number, number];

  constructor(card: ModelCard) {
    this.size = card.input.size;
    this.reference = cardReferencePoints(card);
    this.sourceChannel = card.input.channelOrder === 'BGR' ? [2, 1, 0] : [0, 1, 2];
    // (pixel − mean) / std as one multiply-add per value.
    this.scale = card.input.std.map((s) => 1 / s) as [number, number, number];
    this.offset = card.input.mean.map((m, c) => -m / card.input.std[c]!) as [number, number, number];
  }

  alignedChip(image: RgbImage, face: Pick<FaceAnalysis, 'mesh'>): RgbImage {
    const transform = fitSimilarityTransform(arcfaceFivePoints(face.mesh), this.reference);
    return extractChip(image, transform, this.size, ARCFACE_CHIP_FILTER);
  }

  /** Fills `into` (3 × size × size, NCHW) from the chip, optionally mirrored. */
  fill(chip: RgbImage, mirrored: boolean, into: Float32Array): void {
    const size = chip.width;
    const plane = size * size;
    const pixels = chip.data;
    for (let c = 0; c < 3; c++) {
      const src = this.sourceChannel[c]!;
      const scale = this.scale[c]!;
      const offset = this.offset[c]!;
      const base = c * plane;
      for (let y = 0; y < size; y++) {
        const row = y * size;
        for (let x = 0; x < size; x++) {
          const sx = mirrored ? size - 1 - x : x;
          into[base + row + x] = pixels[(row + sx) * 3 + src]! * scale + offset;
        }
      }
    }
  }
}

/** Unit length in place; a zero or non-finite sum means the net failed, never a face. */
export function l2Normalized(v: Float32Array): Float32Array {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i]! * v[i]!;
  const norm = Math.sqrt(sum);
  if (norm === 0 || !Number.isFinite(norm)) throw new Error('the net returned a zero or non-finite embedding');
  for (let i = 0; i < v.length; i++) v[i]! /= norm;
  return v;
}
