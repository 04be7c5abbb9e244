import { pathToFileURL } from 'node:url';
import path from 'node:path';
import type { Human as HumanInstance, Config as HumanConfig } from '@vladmandic/human';
import { initTensorflow } from '../runtime/tf-runtime.js';
import { humanDistDir, humanExtraModelDir, humanModelDir, requireFreshFromProject, tfWasmDir } from '../runtime/package-paths.js';
import type { RgbImage } from '../imaging/rgb-image.js';
import type { DetectorRange, FaceAnalysis } from './face-analysis.js';
import { DetectorCandidateGate, type CandidatePicker } from './detector-candidate-gate.js';
import {
  analyzeWithHuman,
  DEFAULT_ANALYZER_SETTINGS,
  DETECTOR_IOU_THRESHOLD,
  FULL_RANGE_DETECTOR_FILE,
  humanConfig,
  SHORT_RANGE_DETECTOR_FILE,
  type AnalyzerSettings,
  type AnalyzeOptions,
} from './human-face-pass.js';

export { DEFAULT_ANALYZER_SETTINGS, type AnalyzerSettings, type AnalyzeOptions } from './human-face-pass.js';

/** The analysed faces and how many faces the detector found (with one chosen, `faces` holds only it). */
export interface ChosenAnalysis {
  readonly facesFound: number;
  readonly faces: FaceAnalysis[];
}

type HumanConstructor = new (config: Partial<HumanConfig>) => HumanInstance;

/** Human's extra models package holds the short-range detector; Human's own models folder the rest. */
const shortRangeDetectorPath = (): string => pathToFileURL(path.join(humanExtraModelDir(), SHORT_RANGE_DETECTOR_FILE)).href;

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
      loadHuman(full, FULL_RANGE_DETECTOR_FILE),
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

  private detectNow(
    human: HumanInstance,
    detector: DetectorRange,
    image: RgbImage,
    options: AnalyzeOptions,
  ): Promise<FaceAnalysis[]> {
    return analyzeWithHuman(human, detector, image, this.settings, options);
  }
}

/**
 * One Human with the given detector and every other model loaded once (faceres included); per call
 * the analyzer only toggles what runs. Human keeps its detector model in module state, so each
 * detector gets its own instance of Human's bundle.
 */
async function loadHuman(settings: AnalyzerSettings, detectorModelPath: string): Promise<HumanInstance> {
  const { Human } = requireFreshFromProject<{ Human: HumanConstructor }>(path.join(humanDistDir(), 'human.node-wasm.js'));
  const human = new Human(
    humanConfig(settings, {
      detectorModelPath,
      wasmPath: tfWasmDir(),
      modelBasePath: pathToFileURL(humanModelDir()).href + '/',
      loadFaceres: true,
    }),
  );
  await human.load();
  return human;
}

/** BlazeFace's square input side: 128 for the short-range model, 256 for the full-range one. */
function detectorInputSize(human: HumanInstance): number {
  const side = human.models.models['blazeface']?.inputs[0]?.shape?.[2];
  if (!side) throw new Error('BlazeFace is not loaded');
  return side;
}
