import { pathToFileURL } from 'node:url';
import path from 'node:path';
import type { Human as HumanInstance, Config as HumanConfig, FaceResult } from '@vladmandic/human';
import { initTensorflow } from '../runtime/tf-runtime.js';
import { humanDistDir, humanExtraModelDir, humanModelDir, requireFreshFromProject, tfWasmDir } from '../runtime/package-paths.js';
import type { RgbImage } from '../imaging/rgb-image.js';
import type { DetectorRange, FaceAnalysis } from './face-analysis.js';
import { DetectorCandidateGate, type CandidatePicker } from './detector-candidate-gate.js';

export interface AnalyzerSettings {
  /** Faces below this detector confidence are ignored. */
  readonly minDetectionScore: number;
  /** Upper bound on faces analyzed per image; the largest are kept. */
  readonly maxFaces: number;
}

export const DEFAULT_ANALYZER_SETTINGS: AnalyzerSettings = {
  minDetectionScore: 0.5,
  maxFaces: 10,
};

export interface AnalyzeOptions {
  /** Also compute Human's 1024-d `faceres` descriptor (only the human-faceres engine needs it). */
  readonly faceres?: boolean;
  /** Run the antispoof and liveness models (default on); off only to time the stages apart. */
  readonly presentationAttackDetection?: boolean;
}

/** The analysed faces and how many faces the detector found (with one chosen, `faces` holds only it). */
export interface ChosenAnalysis {
  readonly facesFound: number;
  readonly faces: FaceAnalysis[];
}

const RAD_TO_DEG = 180 / Math.PI;
/** BlazeFace's non-max suppression overlap, as configured below. */
const DETECTOR_IOU_THRESHOLD = 0.1;

type HumanConstructor = new (config: Partial<HumanConfig>) => HumanInstance;

/**
 * BlazeFace in its two published variants. The short-range one (128×128 input, faces that fill a
 * good part of the frame, as at a kiosk, a checkout terminal or in a selfie) costs a third of the
 * full-range one (256×256, small faces in wide shots). Every image goes to the short-range
 * detector first; only an image in which it finds no face goes to the full-range one.
 */
const shortRangeDetectorPath = (): string => pathToFileURL(path.join(humanExtraModelDir(), 'blazeface-front.json')).href;
const FULL_RANGE_DETECTOR_PATH = 'blazeface.json';

/**
 * The shared analyzer: Human's BlazeFace detector, the 468-point mesh, head pose, and the
 * antispoof/liveness models. Frame caching is disabled: every call is a fresh still image, never
 * a video stream. Iris refinement is off: it costs two more model runs per face (a quarter of the
 * analysis time) and nothing downstream needs the pupils; eye corners and lids come from the mesh.
 */
export class HumanFaceAnalyzer {
  private constructor(
    private readonly shortRange: HumanInstance,
    private readonly fullRange: HumanInstance,
    private readonly settings: AnalyzerSettings,
  ) {}

  static async create(settings: Partial<AnalyzerSettings> = {}): Promise<HumanFaceAnalyzer> {
    const full = { ...DEFAULT_ANALYZER_SETTINGS, ...settings };
    await initTensorflow();
    const [shortRange, fullRange] = await Promise.all([
      loadHuman(full, shortRangeDetectorPath()),
      loadHuman(full, FULL_RANGE_DETECTOR_PATH),
    ]);
    return new HumanFaceAnalyzer(shortRange, fullRange, full);
  }

  get humanVersion(): string {
    return this.shortRange.version;
  }

  private queue: Promise<unknown> = Promise.resolve();

  /** Faces in the image, largest first. Calls are serialized: Human keeps per-call state. */
  analyze(image: RgbImage, options: AnalyzeOptions = {}): Promise<FaceAnalysis[]> {
    const run = this.queue.then(() => this.analyzeNow(image, options));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Detects every face, lets `pick` choose one from the detector's boxes, and runs the mesh, pose,
   * antispoof/liveness (and faceres) on that face only: a group photo no longer pays for every face.
   * The chosen face's analysis is exactly what `analyze` gives for it. When `pick` returns null, or
   * the chosen face's mesh is rejected, every face is analysed as `analyze` does.
   */
  analyzeChosen(image: RgbImage, pick: CandidatePicker, options: AnalyzeOptions = {}): Promise<ChosenAnalysis> {
    const run = this.queue.then(() => this.analyzeChosenNow(image, pick, options));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async analyzeNow(image: RgbImage, options: AnalyzeOptions): Promise<FaceAnalysis[]> {
    const faces = await this.analyzeWith(this.shortRange, 'short-range', image, options);
    return faces.length > 0 ? faces : this.analyzeWith(this.fullRange, 'full-range', image, options);
  }

  private async analyzeChosenNow(image: RgbImage, pick: CandidatePicker, options: AnalyzeOptions): Promise<ChosenAnalysis> {
    for (const [human, detector] of [
      [this.shortRange, 'short-range'],
      [this.fullRange, 'full-range'],
    ] as const) {
      const gated = await this.detectWith(human, detector, image, options, pick);
      if (gated.result.length > 0) {
        return { facesFound: gated.picked ? (gated.candidates ?? 1) : gated.result.length, faces: gated.result };
      }
      if (gated.picked) {
        // The chosen face's mesh was rejected: choose again among the faces that have one, as before.
        const faces = await this.analyzeNow(image, options);
        return { facesFound: faces.length, faces };
      }
      // No face with a mesh here: the full-range detector's turn, as in `analyze`.
    }
    return { facesFound: 0, faces: [] };
  }

  private async analyzeWith(
    human: HumanInstance,
    detector: DetectorRange,
    image: RgbImage,
    options: AnalyzeOptions,
  ): Promise<FaceAnalysis[]> {
    return (await this.detectWith(human, detector, image, options, null)).result;
  }

  /** One Human pass through the candidate gate; with `pick`, only the chosen face reaches the per-face models. */
  private detectWith(
    human: HumanInstance,
    detector: DetectorRange,
    image: RgbImage,
    options: AnalyzeOptions,
    pick: CandidatePicker | null,
  ): Promise<{ result: FaceAnalysis[]; candidates: number | null; picked: boolean }> {
    const setting = pick && {
      call: {
        maxOutputSize: this.settings.maxFaces,
        iouThreshold: DETECTOR_IOU_THRESHOLD,
        scoreThreshold: this.settings.minDetectionScore,
      },
      imageWidth: image.width,
      imageHeight: image.height,
      detectorInputSize: detectorInputSize(human),
      pick,
    };
    return DetectorCandidateGate.for(human).run(setting, () => this.detectNow(human, detector, image, options));
  }

  private async detectNow(
    human: HumanInstance,
    detector: DetectorRange,
    image: RgbImage,
    options: AnalyzeOptions,
  ): Promise<FaceAnalysis[]> {
    const tf = human.tf;
    const faceConfig = human.config.face;
    if (faceConfig.description) faceConfig.description.enabled = options.faceres ?? false;
    const pad = options.presentationAttackDetection ?? true;
    if (faceConfig.antispoof) faceConfig.antispoof.enabled = pad;
    if (faceConfig.liveness) faceConfig.liveness.enabled = pad;
    // float32 already: Human casts any other input to float32, a full-image copy per call.
    const input = tf.tensor4d(image.data, [1, image.height, image.width, 3], 'float32');
    try {
      const result = await human.detect(input);
      if (result.error) throw new Error(`face analysis failed: ${result.error}`);
      return result.face
        .filter((face) => face.boxScore >= this.settings.minDetectionScore && face.mesh.length >= 468)
        .map((face) => toFaceAnalysis(face, detector, options.faceres ?? false))
        .sort((a, b) => b.box.width * b.box.height - a.box.width * a.box.height);
    } finally {
      input.dispose();
    }
  }
}

/**
 * One Human with the given detector and every other model loaded once (faceres included); per call
 * the analyzer only toggles what runs. Human keeps its detector model in module state, so each
 * detector gets its own instance of Human's bundle.
 */
async function loadHuman(settings: AnalyzerSettings, detectorModelPath: string): Promise<HumanInstance> {
  const { Human } = requireFreshFromProject<{ Human: HumanConstructor }>(path.join(humanDistDir(), 'human.node-wasm.js'));
  const human = new Human(humanConfig(settings, detectorModelPath));
  await human.load();
  return human;
}

/** BlazeFace's square input side: 128 for the short-range model, 256 for the full-range one. */
function detectorInputSize(human: HumanInstance): number {
  const side = human.models.models['blazeface']?.inputs[0]?.shape?.[2];
  if (!side) throw new Error('BlazeFace is not loaded');
  return side;
}

function humanConfig(settings: AnalyzerSettings, detectorModelPath: string): Partial<HumanConfig> {
  const never = { skipFrames: 0, skipTime: 0 };
  return {
    backend: 'wasm',
    wasmPath: tfWasmDir(),
    modelBasePath: pathToFileURL(humanModelDir()).href + '/',
    debug: false,
    async: false,
    warmup: 'none',
    cacheSensitivity: 0,
    cacheModels: false,
    filter: { enabled: false } as HumanConfig['filter'],
    face: {
      enabled: true,
      detector: {
        ...never,
        modelPath: detectorModelPath,
        enabled: true,
        rotation: true,
        maxDetected: settings.maxFaces,
        minConfidence: settings.minDetectionScore,
        iouThreshold: DETECTOR_IOU_THRESHOLD,
        square: false,
        mask: false,
        return: false,
        cropFactor: 1.6,
      },
      mesh: { enabled: true, keepInvalid: false },
      attention: { enabled: false },
      iris: { ...never, enabled: false },
      description: { ...never, enabled: true, minConfidence: 0 },
      emotion: { ...never, enabled: false },
      antispoof: { ...never, enabled: true },
      liveness: { ...never, enabled: true },
      gear: { enabled: false },
    } as HumanConfig['face'],
    body: { enabled: false } as HumanConfig['body'],
    hand: { enabled: false } as HumanConfig['hand'],
    object: { enabled: false } as HumanConfig['object'],
    gesture: { enabled: false },
    segmentation: { enabled: false } as HumanConfig['segmentation'],
  };
}

function toFaceAnalysis(face: FaceResult, detector: DetectorRange, withFaceres: boolean): FaceAnalysis {
  // Human's box is its enlarged crop for the mesh model; the mesh's extent is the tight face box.
  const xs = face.mesh.slice(0, 468).map((p) => p[0]);
  const ys = face.mesh.slice(0, 468).map((p) => p[1]);
  const x = Math.min(...xs);
  const y = Math.min(...ys);
  const width = Math.max(...xs) - x;
  const height = Math.max(...ys) - y;
  const angle = face.rotation?.angle ?? { yaw: 0, pitch: 0, roll: 0 };
  const analysis: FaceAnalysis = {
    box: { x, y, width, height },
    detectionScore: face.boxScore,
    detector,
    mesh: face.mesh.map(([px, py]) => ({ x: px, y: py })),
    meshDepth: face.mesh.map((p) => p[2] ?? 0),
    pose: { yaw: angle.yaw * RAD_TO_DEG, pitch: angle.pitch * RAD_TO_DEG, roll: angle.roll * RAD_TO_DEG },
    presentation: { antispoof: face.real ?? 0, liveness: face.live ?? 0 },
    ...(withFaceres && face.embedding ? { faceres: Float32Array.from(face.embedding) } : {}),
  };
  return analysis;
}
