import { InvalidArgument, UnknownEngine } from '../errors/domain-errors.js';
import type { FaceEngine, EngineDescriptor } from './engine-port.js';
import { mostRestrictiveTerms, type EngineProvenance } from './engine-provenance.js';
import { SERVICE_DEFAULTS } from '../config/service-config.js';
import { DlibResnetEngine } from './dlib-resnet/dlib-resnet-engine.js';
import { HumanFaceresEngine } from './human-faceres/human-faceres-engine.js';
import { GeometryEngine } from './geometry/geometry-engine.js';
import { FusionEngine } from './fusion/fusion-engine.js';
import { loadFusionWeights } from './fusion/fusion-weights.js';
import { dlibResnetProvenance, geometryProvenance, humanFaceresProvenance } from './builtin-provenance.js';
import { OnnxArcfaceEngine } from './onnx-arcface/onnx-arcface-engine.js';
import { loadModelCards, type LoadedModelCard } from './onnx-arcface/model-card-files.js';

/** Where an engine comes from: facekey's code, a model card facekey ships, or an operator's own card. */
export type EngineOrigin = 'builtin' | 'bundled-model-card' | 'operator-model-card';

interface EngineEntry {
  readonly origin: EngineOrigin;
  readonly create: () => FaceEngine;
  readonly provenance: () => EngineProvenance;
}

/** One engine as listed by `facekey engines --json` (and, later, served as JSON): plain data only. */
export interface EngineListing extends EngineDescriptor {
  readonly default: boolean;
  readonly origin: EngineOrigin;
  readonly provenance: EngineProvenance;
}

/** The service's default engine; defined with the other defaults in service-config (docs/engines.md says why). */
export const DEFAULT_ENGINE_ID: string = SERVICE_DEFAULTS.engine;

/** Engines implemented in code. Model-card engines are added from the cards (bundled + FACEKEY_MODEL_CARDS). */
const BUILTIN_ENGINES: Record<string, EngineEntry> = {
  'dlib-resnet': {
    origin: 'builtin',
    create: () => new DlibResnetEngine({ id: 'dlib-resnet', landmarks: 'dlib68', mirror: false }),
    provenance: dlibResnetProvenance,
  },
  'dlib-resnet-tta': {
    origin: 'builtin',
    create: () => new DlibResnetEngine({ id: 'dlib-resnet-tta', landmarks: 'dlib68', mirror: true }),
    provenance: dlibResnetProvenance,
  },
  'human-faceres': { origin: 'builtin', create: () => new HumanFaceresEngine(), provenance: humanFaceresProvenance },
  geometry: { origin: 'builtin', create: () => new GeometryEngine(), provenance: geometryProvenance },
  fusion: {
    origin: 'builtin',
    create: () => {
      const weights = loadFusionWeights();
      return new FusionEngine(
        weights.components.map((c) => createEngine(c.engine)),
        weights,
      );
    },
    provenance: fusionProvenance,
  },
};

function fusionProvenance(): EngineProvenance {
  const parts = loadFusionWeights().components.map((c) => ({ id: c.engine, provenance: engineProvenance(c.engine) }));
  return {
    package: null,
    weights: `score-level fusion of ${parts.map((p) => p.id).join(' + ')}, weights fit by facekey eval calibrate`,
    trainingData: parts.map((p) => `${p.id}: ${p.provenance.trainingData}`).join('; '),
    terms: mostRestrictiveTerms(parts.map((p) => p.provenance.terms)),
    termsNote: 'The most restrictive terms of its components.',
  };
}

function modelCardEntry(loaded: LoadedModelCard): EngineEntry {
  return {
    origin: loaded.bundled ? 'bundled-model-card' : 'operator-model-card',
    create: () => new OnnxArcfaceEngine(loaded),
    provenance: () => loaded.card.provenance,
  };
}

let registry: Map<string, EngineEntry> | undefined;

/** Built-in engines and every model card, read once per process; a card may not reuse a built-in id. */
function entries(): Map<string, EngineEntry> {
  if (registry) return registry;
  const map = new Map(Object.entries(BUILTIN_ENGINES));
  for (const loaded of loadModelCards()) {
    if (map.has(loaded.card.id)) {
      throw new InvalidArgument(`model card ${loaded.cardFile}: id "${loaded.card.id}" is a built-in engine's id`, {
        modelCard: loaded.cardFile,
      });
    }
    map.set(loaded.card.id, modelCardEntry(loaded));
  }
  registry = map;
  return map;
}

/** Forgets the cards read so far (tests that point FACEKEY_MODEL_CARDS somewhere else). */
export function reloadEngineRegistry(): void {
  registry = undefined;
}

export function engineIds(): string[] {
  return [...entries().keys()];
}

function entry(id: string): EngineEntry {
  const found = entries().get(id);
  if (!found) {
    throw new UnknownEngine(`unknown engine "${id}"; available: ${engineIds().join(', ')}`, { engine: id });
  }
  return found;
}

export function createEngine(id: string): FaceEngine {
  return entry(id).create();
}

export function engineOrigin(id: string): EngineOrigin {
  return entry(id).origin;
}

export function engineProvenance(id: string): EngineProvenance {
  return entry(id).provenance();
}

/** Every engine with its descriptor and provenance, ready to print, log or serve as JSON. */
export function listEngines(): EngineListing[] {
  return engineIds().map((id) => {
    const { version, dimension, dtype, metric } = createEngine(id);
    const e = entry(id);
    return { id, version, dimension, dtype, metric, default: id === DEFAULT_ENGINE_ID, origin: e.origin, provenance: e.provenance() };
  });
}
