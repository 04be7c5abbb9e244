import type { EmbedInput, FaceEngine } from '../engine-port.js';
import { humanPackageVersion } from '../../runtime/package-versions.js';
import { ANALYSIS_REVISION } from '../../analysis/face-analysis.js';

/**
 * Human's `faceres` descriptor (1024-d). The network runs inside the shared analyzer's detector
 * pass on Human's own face crop, so this engine only asks for it and hands it on.
 */
export class HumanFaceresEngine implements FaceEngine {
  readonly id = 'human-faceres';
  readonly version = `${humanPackageVersion()}+faceres+${ANALYSIS_REVISION}`;
  readonly dimension = 1024;
  readonly dtype = 'float32' as const;
  readonly metric = 'cosine' as const;
  readonly needs = { faceres: true };

  async load(): Promise<void> {
    // The faceres model is loaded by the shared analyzer.
  }

  async embed({ face }: EmbedInput): Promise<Float32Array> {
    if (!face.faceres || face.faceres.length !== this.dimension) {
      throw new Error('human-faceres: the analyzer did not compute a faceres descriptor for this face');
    }
    return face.faceres;
  }
}
