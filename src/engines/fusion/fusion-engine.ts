import { createHash } from 'node:crypto';
import type { EmbedInput, EngineNeeds, FaceEngine } from '../engine-port.js';
import { fuseVectors } from './fuse-vectors.js';
import type { FusionWeights } from './fusion-weights.js';

/**
 * `fusion`: several engines behind the same port, their similarity scores combined with weights
 * fit on calibration data. Its version names the components and a digest of the weights, so
 * templates made with other weights can never be compared with these.
 */
export class FusionEngine implements FaceEngine {
  readonly id = 'fusion';
  readonly version: string;
  readonly dimension: number;
  readonly dtype = 'float32' as const;
  readonly metric = 'cosine' as const;
  readonly needs: EngineNeeds;
  private readonly weights: number[];

  constructor(
    private readonly components: readonly FaceEngine[],
    fusion: FusionWeights,
  ) {
    this.weights = components.map((c) => {
      const w = fusion.components.find((f) => f.engine === c.id)?.weight;
      if (w === undefined || !(w > 0)) throw new RangeError(`fusion: no positive weight for ${c.id}`);
      return w;
    });
    this.dimension = components.reduce((n, c) => n + c.dimension, 0);
    this.needs = { faceres: components.some((c) => c.needs.faceres) };
    const digest = createHash('sha256').update(JSON.stringify(this.weights)).digest('hex').slice(0, 8);
    this.version = `1.0(${components.map((c) => `${c.id}@${c.version}`).join('+')})#${digest}`;
  }

  async load(): Promise<void> {
    for (const c of this.components) await c.load();
  }

  async embed(input: EmbedInput): Promise<Float32Array> {
    const parts: Float32Array[] = [];
    for (const c of this.components) parts.push(await c.embed(input));
    return fuseVectors(parts, this.weights);
  }

  /** Fuses templates already computed by the components (evaluation reuses them). */
  fuse(parts: readonly Float32Array[]): Float32Array {
    return fuseVectors(parts, this.weights);
  }

  get componentIds(): string[] {
    return this.components.map((c) => c.id);
  }
}
