import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../runtime/project-root.js';

/**
 * Whether the weights' terms allow commercial use: `permitted` (stated and checked), `research-only`
 * (the weights or their training data are licensed for non-commercial research only) or `unknown`
 * (nothing reliable could be found; an operator must clear it before charging people with it).
 */
export type WeightsTerms = 'permitted' | 'research-only' | 'unknown';

export const WEIGHTS_TERMS: readonly WeightsTerms[] = ['permitted', 'research-only', 'unknown'];

/** Where an engine's code and weights come from, and on which terms an operator may run them. */
export interface EngineProvenance {
  /** The npm package the weights are read from (`facekey` for an engine with no learned weights). */
  readonly package: string;
  /** The installed package's version, read from its package.json; `unknown` when not installed. */
  readonly version: string;
  /** The package's licence (SPDX), which is not necessarily the weights'. */
  readonly licence: string;
  /** What is known of the data the weights were trained on. */
  readonly weightsTrainingData: string;
  readonly terms: WeightsTerms;
}

/** An engine that does not say where it comes from gets this: nothing is assumed. */
export const UNKNOWN_PROVENANCE: Omit<EngineProvenance, 'package' | 'version'> = {
  licence: 'unknown',
  weightsTrainingData: 'unknown',
  terms: 'unknown',
};

type ProvenanceFacts = Omit<EngineProvenance, 'version'>;

const DLIB_RESNET: ProvenanceFacts = {
  package: '@vladmandic/face-api',
  licence: 'MIT',
  weightsTrainingData:
    "dlib's face-recognition ResNet (dlib_face_recognition_resnet_model_v1), trained by dlib's author on about 3 million faces " +
    'from FaceScrub, the VGG-Face data set and images scraped from the web; both named data sets are distributed for research',
  terms: 'unknown',
};

/**
 * What this code base knows of its own engines' provenance. An engine (or a registry entry) that
 * carries its own `provenance` wins over this table, so engines added with their model cards need
 * no entry here.
 */
const KNOWN_PROVENANCE: Readonly<Record<string, ProvenanceFacts>> = {
  'dlib-resnet': DLIB_RESNET,
  'dlib-resnet-tta': DLIB_RESNET,
  'human-faceres': {
    package: '@vladmandic/human',
    licence: 'MIT',
    weightsTrainingData: "Human's faceres descriptor model; its training data is not documented by the package",
    terms: 'unknown',
  },
  geometry: {
    package: 'facekey',
    licence: 'UNLICENSED',
    weightsTrainingData: 'none: distances between mesh landmarks, no learned weights of its own',
    terms: 'permitted',
  },
};

/** The least permissive terms of several: a fused engine is only as usable as its weakest part. */
export function strictestTerms(terms: readonly WeightsTerms[]): WeightsTerms {
  if (terms.includes('research-only')) return 'research-only';
  if (terms.includes('unknown') || terms.length === 0) return 'unknown';
  return 'permitted';
}

const installedVersions = new Map<string, string>();

/** The installed version of a package, read from node_modules (never the network). */
export function installedVersion(packageName: string): string {
  let version = installedVersions.get(packageName);
  if (version === undefined) {
    try {
      const file =
        packageName === 'facekey'
          ? path.join(projectRoot(), 'package.json')
          : path.join(projectRoot(), 'node_modules', ...packageName.split('/'), 'package.json');
      version = String((JSON.parse(fs.readFileSync(file, 'utf8')) as { version?: unknown }).version ?? 'unknown');
    } catch {
      version = 'unknown';
    }
    installedVersions.set(packageName, version);
  }
  return version;
}

/** Anything that may carry its own provenance: an engine instance or a registry entry. */
export interface MaybeWithProvenance {
  readonly id: string;
  readonly provenance?: Partial<EngineProvenance>;
  /** A composite engine's parts (fusion): its terms are the strictest of theirs. */
  readonly components?: readonly MaybeWithProvenance[];
}

/**
 * The provenance an engine declares, completed from what this code base knows of it; a composite
 * engine's terms are its parts' strictest. Fields nobody knows stay `unknown`.
 */
export function provenanceOf(engine: MaybeWithProvenance): EngineProvenance {
  const declared = engine.provenance ?? {};
  const known = KNOWN_PROVENANCE[engine.id];
  const parts = engine.components?.map(provenanceOf);
  const pkg = declared.package ?? known?.package ?? (parts ? 'facekey' : 'unknown');
  return {
    package: pkg,
    version: declared.version ?? (pkg === 'unknown' ? 'unknown' : installedVersion(pkg)),
    licence: declared.licence ?? known?.licence ?? (parts ? 'UNLICENSED' : UNKNOWN_PROVENANCE.licence),
    weightsTrainingData:
      declared.weightsTrainingData ??
      known?.weightsTrainingData ??
      (parts ? `fusion of: ${parts.map((p, i) => `${engine.components![i]!.id} (${p.terms})`).join(', ')}` : UNKNOWN_PROVENANCE.weightsTrainingData),
    terms: declared.terms ?? known?.terms ?? (parts ? strictestTerms(parts.map((p) => p.terms)) : UNKNOWN_PROVENANCE.terms),
  };
}
