import { UnknownEngine } from '../errors/domain-errors.js';
import { SERVICE_DEFAULTS } from '../config/service-config.js';
import type { FaceEngine } from './engine-port.js';
import { DlibResnetEngine } from './dlib-resnet/dlib-resnet-engine.js';
import { HumanFaceresEngine } from './human-faceres/human-faceres-engine.js';
import { GeometryEngine } from './geometry/geometry-engine.js';
import { FusionEngine } from './fusion/fusion-engine.js';
import { loadFusionWeights } from './fusion/fusion-weights.js';

/** Every engine the platform ships. Adding an engine is one entry here. */
const ENGINE_FACTORIES: Record<string, () => FaceEngine> = {
  'dlib-resnet': () => new DlibResnetEngine({ id: 'dlib-resnet', landmarks: 'dlib68', mirror: false }),
  'dlib-resnet-tta': () => new DlibResnetEngine({ id: 'dlib-resnet-tta', landmarks: 'dlib68', mirror: true }),
  'human-faceres': () => new HumanFaceresEngine(),
  geometry: () => new GeometryEngine(),
  fusion: () => {
    const weights = loadFusionWeights();
    return new FusionEngine(
      weights.components.map((c) => createEngine(c.engine)),
      weights,
    );
  },
};

/** The service's default engine; defined with the other defaults in service-config. */
export const DEFAULT_ENGINE_ID: string = SERVICE_DEFAULTS.engine;

export function engineIds(): string[] {
  return Object.keys(ENGINE_FACTORIES);
}

export function createEngine(id: string): FaceEngine {
  const factory = ENGINE_FACTORIES[id];
  if (!factory) {
    throw new UnknownEngine(`unknown engine "${id}"; available: ${engineIds().join(', ')}`, { engine: id });
  }
  return factory();
}
