import type { InferenceSession, Tensor } from 'onnxruntime-node';
import type { FaceAnalysis } from '../../analysis/face-analysis.js';
import type { RgbImage } from '../../imaging/rgb-image.js';
import type { EmbedInput, FaceEngine } from '../engine-port.js';
import type { EngineProvenance } from '../engine-provenance.js';
import { modelCardVersion } from './model-card.js';
import { ArcfaceInput, l2Normalized } from './arcface-input.js';
import { readVerifiedModel, type LoadedModelCard } from './model-card-files.js';

type Ort = typeof import('onnxruntime-node');

export { modelCardVersion } from './model-card.js';

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
  /** Alignment and input filling, shared with the browser engine (web/engine/). */
  private readonly input: ArcfaceInput;

  constructor(private readonly loaded: LoadedModelCard) {
    const { card } = loaded;
    this.id = card.id;
    this.version = modelCardVersion(card);
    this.dimension = card.output.dimension;
    this.provenance = card.provenance;
    this.input = new ArcfaceInput(card);
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
    return this.input.alignedChip(image, face);
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
    this.input.fill(chip, mirrored, this.inputData!);
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
