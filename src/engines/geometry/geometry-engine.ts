import type { EmbedInput, FaceEngine } from '../engine-port.js';
import { ANALYSIS_REVISION } from '../../analysis/face-analysis.js';
import { IBUG68_FROM_MESH } from '../../alignment/ibug-from-mesh.js';

/**
 * iBUG landmarks whose positions depend on bone structure more than on expression: jaw, brows'
 * ends, nose, eye corners and mouth corners.
 */
const SIGNATURE_LANDMARKS = [0, 4, 8, 12, 16, 17, 21, 22, 26, 27, 30, 31, 33, 35, 36, 39, 42, 45, 48, 54];

/**
 * The "digital key from facial locations and the distances between them": every pairwise 3-D
 * distance between the landmarks above, on a log scale (so ratios, not absolute size, matter),
 * standardized per face. It has no learned features and is kept as an honest baseline.
 */
export class GeometryEngine implements FaceEngine {
  readonly id = 'geometry';
  readonly version = `1.0+${ANALYSIS_REVISION}`;
  readonly dimension = (SIGNATURE_LANDMARKS.length * (SIGNATURE_LANDMARKS.length - 1)) / 2;
  readonly dtype = 'float32' as const;
  readonly metric = 'cosine' as const;
  readonly needs = {};

  async load(): Promise<void> {
    // Nothing to load: the signature is computed from the shared mesh.
  }

  async embed({ face }: EmbedInput): Promise<Float32Array> {
    const points = SIGNATURE_LANDMARKS.map((ibug) => {
      const index = IBUG68_FROM_MESH[ibug]!;
      const p = face.mesh[index];
      if (!p) throw new Error(`geometry: mesh has no vertex ${index}`);
      return [p.x, p.y, face.meshDepth[index] ?? 0] as const;
    });
    const features = new Float32Array(this.dimension);
    let k = 0;
    for (let i = 0; i < points.length; i++) {
      for (let j = i + 1; j < points.length; j++) {
        const [ax, ay, az] = points[i]!;
        const [bx, by, bz] = points[j]!;
        features[k++] = Math.log(Math.hypot(ax - bx, ay - by, az - bz) + 1e-6);
      }
    }
    return standardize(features);
  }
}

function standardize(v: Float32Array): Float32Array {
  let mean = 0;
  for (const x of v) mean += x;
  mean /= v.length;
  let variance = 0;
  for (const x of v) variance += (x - mean) ** 2;
  const std = Math.sqrt(variance / v.length) || 1;
  return v.map((x) => (x - mean) / std);
}
