/**
 * One behavioural contract for every FaceEngine (Hono-style: the cases live here once; the
 * runner in test/engine gives every registered engine the same cases). Real photos: the shared
 * deepface fixtures, analysed once by the platform's analyzer and handed to each engine's embed.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { FaceAnalysis } from '../../../src/analysis/face-analysis.js';
import { HumanFaceAnalyzer } from '../../../src/analysis/human-analyzer.js';
import type { FaceEngine } from '../../../src/engines/engine-port.js';
import { decodeImage } from '../../../src/imaging/decode-image.js';
import type { RgbImage } from '../../../src/imaging/rgb-image.js';
import { selectFace } from '../../../src/pipeline/face-selection.js';
import { createTemplate } from '../../../src/templates/template.js';
import { decodeTemplate, encodeTemplate } from '../../../src/templates/template-codec.js';
import { deepface, deepfacePairs, sharedDataMissingReason } from '../../shared-data.js';

export interface AnalysedFace {
  readonly image: RgbImage;
  readonly face: FaceAnalysis;
}

/** Labelled pairs of analysed faces, shared by every engine's run (analysis is the slow part). */
export interface SampleFaces {
  readonly pairs: ReadonlyArray<{ left: AnalysedFace; right: AnalysedFace; same: boolean }>;
}

/** Why the contract cannot run here (no shared photos), or false. */
export const faceEngineContractSkip = sharedDataMissingReason();

let samples: Promise<SampleFaces> | undefined;

/** Analyses the first `perClass` same- and different-person deepface pairs once per process. */
export function sampleFaces(perClass = 4): Promise<SampleFaces> {
  samples ??= (async () => {
    const analyzer = await HumanFaceAnalyzer.create();
    const analysed = new Map<string, AnalysedFace>();
    const analyse = async (file: string): Promise<AnalysedFace> => {
      const known = analysed.get(file);
      if (known) return known;
      const { image } = await decodeImage(deepface(file));
      // faceres: the descriptor Human computes in the detector pass, for engines that need it.
      const face = selectFace(await analyzer.analyze(image, { faceres: true }), image, 'largest');
      analysed.set(file, { image, face });
      return { image, face };
    };
    const pairs = [];
    for (const pair of deepfacePairs(perClass))
      pairs.push({ left: await analyse(pair.left), right: await analyse(pair.right), same: pair.same });
    return { pairs };
  })();
  return samples;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Cosine similarity of two raw engine vectors. */
function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i]! * b[i]!;
  return dot / (Math.hypot(...a) * Math.hypot(...b));
}

export function runFaceEngineContract(id: string, create: () => FaceEngine, faces: () => Promise<SampleFaces> = sampleFaces): void {
  describe(`FaceEngine contract: ${id}`, { skip: faceEngineContractSkip, timeout: 600_000 }, () => {
    let engine: FaceEngine;
    let sample: SampleFaces;

    before(async () => {
      engine = create();
      await engine.load();
      sample = await faces();
    });

    it('declares its identity: id, version, a positive dimension, a known dtype and metric', () => {
      assert.equal(engine.id, id);
      assert.ok(engine.version.length > 0);
      assert.ok(Number.isInteger(engine.dimension) && engine.dimension > 0, `dimension ${engine.dimension}`);
      assert.ok(['float32', 'int8'].includes(engine.dtype), `dtype ${engine.dtype}`);
      assert.equal(engine.metric, 'cosine');
    });

    it('embeds a real face as a finite, non-zero vector of its declared dimension; its template is unit length with the declared dtype', async () => {
      // The port's doc promises an L2-normalized vector, but today's engines (dlib-resnet, human-faceres)
      // return raw descriptors and createTemplate normalizes them: the contract holds what the
      // platform relies on, the normalized template.
      const vector = await engine.embed(sample.pairs[0]!.left);
      assert.ok(vector instanceof Float32Array);
      assert.equal(vector.length, engine.dimension);
      assert.ok(vector.every(Number.isFinite));
      assert.ok(Math.hypot(...vector) > 0, 'a zero vector has no direction');
      const template = decodeTemplate(encodeTemplate(createTemplate(engine, vector)));
      assert.equal(template.engineId, engine.id);
      assert.equal(template.dimension, engine.dimension);
      assert.equal(template.dtype, engine.dtype);
      const norm = Math.hypot(...template.vector);
      assert.ok(Math.abs(norm - 1) < (template.dtype === 'int8' ? 0.02 : 1e-4), `template norm ${norm}`);
    });

    it('is deterministic: the same face embeds to the same vector', async () => {
      const face = sample.pairs[1]!.right;
      assert.deepEqual(await engine.embed(face), await engine.embed(face));
    });

    it('scores same-person pairs above different-person pairs (means over the sample pairs)', async () => {
      const genuine: number[] = [];
      const impostor: number[] = [];
      for (const pair of sample.pairs) {
        const score = cosine(await engine.embed(pair.left), await engine.embed(pair.right));
        (pair.same ? genuine : impostor).push(score);
      }
      assert.ok(genuine.length > 0 && impostor.length > 0, 'the sample holds both kinds of pair');
      assert.ok(mean(genuine) > mean(impostor), `genuine mean ${mean(genuine)} <= impostor mean ${mean(impostor)}`);
    });
  });
}
