import crypto from 'node:crypto';
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { fitSimilarityTransform } from '../../alignment/similarity-transform.js';
import { extractChip } from '../../alignment/extract-chip.js';
import { arcfaceFivePoints } from '../../alignment/arcface-geometry.js';
import { ANALYSIS_REVISION, type FaceAnalysis } from '../../analysis/face-analysis.js';
import type { RgbImage } from '../../imaging/rgb-image.js';
import type { EmbedInput, FaceEngine } from '../engine-port.js';
import type { EngineProvenance } from '../engine-provenance.js';
import { cardReferencePoints, type ModelCard } from './model-card.js';
import { readVerifiedModel, type LoadedModelCard } from './model-card-files.js';

type Ort = typeof import('onnxruntime-node');

/**
 * The engine version: the model file's hash, a hash of how chips are made and fed (so a card edit
 * that changes templates changes the version) and the analysis revision the landmarks come from.
 */
export function modelCardVersion(card: ModelCard): string {
  const preprocessing = JSON.stringify([card.input, card.output, card.referencePoints, card.mirrorAveraging]);
  const prep = crypto.createHash('sha256').update(preprocessing).digest('hex').slice(0, 8);
  return `1.0+m${card.sha256.slice(0, 12)}+p${prep}${card.mirrorAveraging ? '+mirror' : ''}+${ANALYSIS_REVISION}`;
}

/**
 * Any ArcFace-style ONNX recognition net described by a model card: 5-point similarity alignment
 * of Human's mesh onto the card's reference points, normalization and channel order from the card,
 * onnxruntime on the CPU with one thread (the pool runs one worker per core).
 */
export class OnnxArcfaceEngine implements FaceEngine {
  readonly id: string;
  readonly version: string;
  readonly dimension: number;
  readonly dtype = 'float32' as const;
  readonly metric = 'cosine' as const;
  readonly needs = {};
  readonly provenance: EngineProvenance;
  private ort: Ort | undefined;
  private session: InferenceSession | undefined;
  /** One input buffer and tensor, reused for every run (the pool serializes runs per worker). */
  private inputData: Float32Array | undefined;
  private inputTensor: Tensor | undefined;
  private readonly reference;
  private readonly scale: [number, number, number];
  private readonly offset: [number, number, number];
  /** Which RGB channel feeds model channel c. */
  private readonly sourceChannel: [number, number, number];

  constructor(private readonly loaded: LoadedModelCard) {
    const { card } = loaded;
    this.id = card.id;
    this.version = modelCardVersion(card);
    this.dimension = card.output.dimension;
    this.provenance = card.provenance;
    this.reference = cardReferencePoints(card);
    this.sourceChannel = card.input.channelOrder === 'BGR' ? [2, 1, 0] : [0, 1, 2];
    // (pixel − mean) / std as one multiply-add per value.
    this.scale = card.input.std.map((s) => 1 / s) as [number, number, number];
    this.offset = card.input.mean.map((m, c) => -m / card.input.std[c]!) as [number, number, number];
  }

  async load(): Promise<void> {
    if (this.session) return;
    const model = readVerifiedModel(this.loaded);
    // Loaded on first use, so processes that never run this engine never map the native library.
    // A CommonJS package: its exports are `default` under Node's ESM loader, the namespace under tsx.
    const module = (await import('onnxruntime-node')) as Ort & { default?: Ort };
    this.ort = module.default ?? module;
    this.session = await this.ort.InferenceSession.create(model, {
      executionProviders: ['cpu'],
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
    });
    const size = this.loaded.card.input.size;
    this.inputData = new Float32Array(3 * size * size);
    this.inputTensor = new this.ort.Tensor('float32', this.inputData, [1, 3, size, size]);
  }

  alignedChip(image: RgbImage, face: FaceAnalysis): RgbImage {
    const transform = fitSimilarityTransform(arcfaceFivePoints(face.mesh), this.reference);
    return extractChip(image, transform, this.loaded.card.input.size);
  }

  async embed({ image, face }: EmbedInput): Promise<Float32Array> {
    if (!this.session || !this.inputData || !this.inputTensor) throw new Error(`${this.id} engine used before load()`);
    const chip = this.alignedChip(image, face);
    const embedding = new Float32Array(this.dimension);
    await this.addEmbedding(chip, false, embedding);
    if (this.loaded.card.mirrorAveraging) await this.addEmbedding(chip, true, embedding);
    return l2Normalized(embedding);
  }

  /** Fills the reused NCHW input from the chip (optionally mirrored), runs the net, adds its output. */
  private async addEmbedding(chip: RgbImage, mirrored: boolean, into: Float32Array): Promise<void> {
    const size = chip.width;
    const plane = size * size;
    const data = this.inputData!;
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
          data[base + row + x] = pixels[(row + sx) * 3 + src]! * scale + offset;
        }
      }
    }
    const card = this.loaded.card;
    const result = await this.session!.run({ [card.input.name]: this.inputTensor! });
    const output = result[card.output.name];
    if (!output || output.data.length !== this.dimension) {
      throw new Error(`${this.id}: output "${card.output.name}" has ${output?.data.length ?? 0} values, the card says ${this.dimension}`);
    }
    const values = output.data as Float32Array;
    for (let i = 0; i < this.dimension; i++) into[i]! += values[i]!;
    output.dispose();
  }
}

function l2Normalized(v: Float32Array): Float32Array {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i]! * v[i]!;
  const norm = Math.sqrt(sum);
  if (norm === 0 || !Number.isFinite(norm)) throw new Error('the net returned a zero or non-finite embedding');
  for (let i = 0; i < v.length; i++) v[i]! /= norm;
  return v;
}
