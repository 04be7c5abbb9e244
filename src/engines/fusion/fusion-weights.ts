import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../runtime/project-root.js';

export interface FusionComponent {
  readonly engine: string;
  /** α_i in score = Σ α_i·cos_i / Σ α_i; fit by `facekey eval calibrate`, never set by hand. */
  readonly weight: number;
}

export interface FusionWeights {
  readonly components: readonly FusionComponent[];
  readonly fitOn: string;
  readonly objective: string;
}

export const FUSION_WEIGHTS_FILE = 'calibration/fusion.json';

/** Used only until a calibration run has fit weights: the two learned engines, equally. */
export const UNFITTED_FUSION_WEIGHTS: FusionWeights = {
  components: [
    { engine: 'dlib-resnet-tta', weight: 0.5 },
    { engine: 'human-faceres', weight: 0.5 },
  ],
  fitOn: 'not fitted',
  objective: 'none',
};

export function loadFusionWeights(file: string = path.join(projectRoot(), FUSION_WEIGHTS_FILE)): FusionWeights {
  if (!fs.existsSync(file)) return UNFITTED_FUSION_WEIGHTS;
  return JSON.parse(fs.readFileSync(file, 'utf8')) as FusionWeights;
}
