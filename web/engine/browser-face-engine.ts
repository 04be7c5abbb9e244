/// <reference path="./human-second-instance.d.ts" />
import type { Human as HumanInstance, Config as HumanConfig } from '@vladmandic/human';
import type { InferenceSession, Tensor } from 'onnxruntime-web/wasm';
import type { FaceAnalysis } from '../../src/analysis/face-analysis.js';
import { fromFrameEvidence, toFrameEvidence, type FrameEvidence } from '../../src/analysis/frame-evidence.js';
import {
  analyzeWithHuman,
  DEFAULT_ANALYZER_SETTINGS,
  FULL_RANGE_DETECTOR_FILE,
  humanConfig,
  SHORT_RANGE_DETECTOR_FILE,
  type AnalyzerSettings,
} from '../../src/analysis/human-face-pass.js';
import { sha256Hex } from '../../src/crypto/sha256.js';
import { ArcfaceInput, l2Normalized } from '../../src/engines/onnx-arcface/arcface-input.js';
import { modelCardVersion, parseModelCard, type ModelCard } from '../../src/engines/onnx-arcface/model-card.js';
import { assessQuality, type QualityReasonCode } from '../../src/quality/assess-quality.js';
import { encodeTemplate } from '../../src/templates/template-codec.js';
import { createTemplate } from '../../src/templates/template.js';
import { captureFrame, framePixels, type EngineFrame } from './frame-pixels.js';
import { traceMark } from '../shared/trace.js';

/** One face the browser saw: the contract's FrameEvidence (a FaceAnalysis with point pairs). */
export type BrowserFace = FrameEvidence;

export type GuidanceCode = 'no_face' | 'multiple_faces' | QualityReasonCode;

export interface GuidanceReason {
  readonly code: GuidanceCode;
  /** The quality rule's English message (the kiosk shows its own translated text per code). */
  readonly message: string;
}

export interface BrowserFaceEngineOptions {
  /** Where `copy-web-models` put the models: '/models' when facekey serves the page. */
  readonly modelsBase: string;
  /** The model card to template with (web-config's engine id); the server's default otherwise. */
  readonly engineId?: string;
  readonly analyzer?: Partial<AnalyzerSettings>;
  /**
   * Load the recognition net (default true): only a device that makes templates needs it. Without it
   * (the checkout kiosk: the server makes the template from the frames) the page skips the ArcFace
   * model and onnxruntime's 14 MB WASM, and `template` refuses.
   */
  readonly recognizer?: boolean;
}

export interface BrowserFaceEngine {
  /** The engine id and version stamped into every template (compare with web-config's engine); none without the recognition net. */
  readonly engine: { readonly id: string; readonly version: string } | undefined;
  /** Faces in the frame, largest first. */
  analyze(frame: EngineFrame): Promise<BrowserFace[]>;
  /** The FKT1 template of `face` (from `analyze` on this same frame). */
  template(frame: EngineFrame, face: BrowserFace): Promise<Uint8Array>;
  /**
   * What keeps a frame from being enrolled, by the server's quality rules (size, pose, blur,
   * light, eyes) plus "no face" / "several faces" when given analyze's whole result. Empty: good.
   */
  guidance(faces: BrowserFace | readonly BrowserFace[] | null, frame: EngineFrame): GuidanceReason[];
  /** A still copy of a video frame, so analyze, guidance and template all see the same pixels. */
  capture(frame: EngineFrame): ImageData;
}

export const DEFAULT_BROWSER_ENGINE_ID = 'faceplugin-arcface';

type HumanModule = { Human: new (config: Partial<HumanConfig>) => HumanInstance };
type Ort = typeof import('onnxruntime-web/wasm');

export async function createBrowserFaceEngine(options: BrowserFaceEngineOptions): Promise<BrowserFaceEngine> {
  const base = options.modelsBase.replace(/\/+$/, '');
  const settings = { ...DEFAULT_ANALYZER_SETTINGS, ...options.analyzer };
  const [shortRange, recognizer] = await Promise.all([
    loadHuman(await import('@vladmandic/human'), base, settings, `${base}/human/${SHORT_RANGE_DETECTOR_FILE}`).then((human) => {
      traceMark('engine:human');
      return human;
    }),
    options.recognizer === false
      ? undefined
      : loadRecognizer(base, options.engineId ?? DEFAULT_BROWSER_ENGINE_ID).then((recognizer) => {
          traceMark('engine:recognizer');
          return recognizer;
        }),
  ]);
  // Human keeps its detector in module state: the full-range detector needs a second instance of
  // the module (as the server loads Human's bundle twice). Kiosk faces fill the frame, so the
  // short-range detector nearly always finds them; the second instance loads on first need only.
  let fullRange: Promise<HumanInstance> | undefined;
  const fullRangeHuman = () =>
    (fullRange ??= import('@vladmandic/human?full-range').then((module) => loadHuman(module, base, settings, FULL_RANGE_DETECTOR_FILE)));

  let queue: Promise<unknown> = Promise.resolve();
  const serialized = <T>(work: () => Promise<T>): Promise<T> => {
    const run = queue.then(work);
    queue = run.catch(() => undefined);
    return run;
  };

  const analyzeImage = async (frame: EngineFrame): Promise<BrowserFace[]> => {
    const image = framePixels(frame);
    let faces: FaceAnalysis[] = await analyzeWithHuman(shortRange, 'short-range', image, settings, {});
    if (faces.length === 0) faces = await analyzeWithHuman(await fullRangeHuman(), 'full-range', image, settings, {});
    return faces.map((face) => toFrameEvidence(face, image));
  };

  return {
    engine: recognizer ? { id: recognizer.card.id, version: recognizer.version } : undefined,
    analyze: (frame) => serialized(() => analyzeImage(frame)),
    template: (frame, face) =>
      recognizer ? serialized(() => recognizer.template(frame, face)) : Promise.reject(new Error('this face engine was started without its recognition net')),
    guidance: (faces, frame) => guidance(faces, frame),
    capture: captureFrame,
  };
}

async function loadHuman(module: HumanModule, base: string, settings: AnalyzerSettings, detectorModelPath: string): Promise<HumanInstance> {
  const config = humanConfig(settings, {
    detectorModelPath,
    wasmPath: `${base}/tfjs/`,
    modelBasePath: `${base}/human/`,
    loadFaceres: false,
  });
  const human = new module.Human(config);
  await human.load();
  await human.tf.ready();
  return human;
}

function guidance(faces: BrowserFace | readonly BrowserFace[] | null, frame: EngineFrame): GuidanceReason[] {
  const list: readonly BrowserFace[] = faces === null ? [] : Array.isArray(faces) ? faces : [faces as BrowserFace];
  if (list.length === 0) return [{ code: 'no_face', message: 'no face in view' }];
  const reasons: GuidanceReason[] = [];
  if (list.length > 1) reasons.push({ code: 'multiple_faces', message: `${list.length} faces in view; only one person, please` });
  const quality = assessQuality(framePixels(frame), fromFrameEvidence(list[0]!));
  return [...reasons, ...quality.reasons.map((r) => ({ code: r.code, message: r.message }))];
}

interface Recognizer {
  readonly card: ModelCard;
  readonly version: string;
  template(frame: EngineFrame, face: BrowserFace): Promise<Uint8Array>;
}

/**
 * The recognition net from its model card, as the server's OnnxArcfaceEngine runs it: the same
 * card (copied beside the ONNX file), the same version, alignment and input code, onnxruntime-web's
 * CPU (wasm) backend, L2 norm and the FKT1 codec.
 */
async function loadRecognizer(base: string, engineId: string): Promise<Recognizer> {
  const cardUrl = `${base}/${engineId}.json`;
  const card = parseModelCard(await fetchJson(cardUrl), cardUrl);
  const modelUrl = `${base}/${card.file}`;
  const model: Uint8Array<ArrayBuffer> = new Uint8Array(await (await fetchOk(modelUrl)).arrayBuffer());
  const actual = await sha256OfBytes(model);
  if (actual !== card.sha256) throw new Error(`${modelUrl} has SHA-256 ${actual}, its card says ${card.sha256}`);

  const ort: Ort = await import('onnxruntime-web/wasm');
  ort.env.wasm.wasmPaths = `${base}/ort/`;
  // Threads need SharedArrayBuffer, which only a cross-origin isolated page has.
  ort.env.wasm.numThreads = globalThis.crossOriginIsolated ? Math.min(4, navigator.hardwareConcurrency || 1) : 1;
  ort.env.wasm.proxy = false;
  const session: InferenceSession = await ort.InferenceSession.create(model, {
    executionProviders: ['wasm'],
    graphOptimizationLevel: 'all',
  });
  const input = new ArcfaceInput(card);
  const size = card.input.size;
  const data = new Float32Array(3 * size * size);
  const tensor: Tensor = new ort.Tensor('float32', data, [1, 3, size, size]);
  const version = modelCardVersion(card);
  const descriptor = { id: card.id, version, dimension: card.output.dimension, dtype: 'float32' as const };

  // One run on the blank input while the page loads: onnxruntime prepares its kernels on the first run
  // (about 0.3 s here), which would otherwise fall on the first enrollment's template, after the shopper.
  (await session.run({ [card.input.name]: tensor }))[card.output.name]?.dispose();

  const addEmbedding = async (chip: ReturnType<ArcfaceInput['alignedChip']>, mirrored: boolean, into: Float32Array) => {
    input.fill(chip, mirrored, data);
    const result = await session.run({ [card.input.name]: tensor });
    const output = result[card.output.name];
    if (!output || output.data.length !== card.output.dimension) {
      throw new Error(`${card.id}: output "${card.output.name}" has ${output?.data.length ?? 0} values, the card says ${card.output.dimension}`);
    }
    const values = output.data as Float32Array;
    for (let i = 0; i < values.length; i++) into[i]! += values[i]!;
    output.dispose();
  };

  return {
    card,
    version,
    async template(frame, face) {
      const chip = input.alignedChip(framePixels(frame), fromFrameEvidence(face));
      const embedding = new Float32Array(card.output.dimension);
      await addEmbedding(chip, false, embedding);
      if (card.mirrorAveraging) await addEmbedding(chip, true, embedding);
      return encodeTemplate(createTemplate(descriptor, l2Normalized(embedding)));
    },
  };
}

async function fetchOk(url: string): Promise<Response> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response;
}

async function fetchJson(url: string): Promise<unknown> {
  return (await fetchOk(url)).json();
}

/** WebCrypto where the page is a secure context; the pure digest on a plain-http kiosk address. */
async function sha256OfBytes(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  if (globalThis.crypto?.subtle) {
    const digest = new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', bytes));
    return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
  }
  return sha256Hex(bytes);
}

