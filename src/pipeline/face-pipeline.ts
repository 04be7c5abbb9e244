import { HumanFaceAnalyzer, type AnalyzerSettings } from '../analysis/human-analyzer.js';
import type { FaceAnalysis } from '../analysis/face-analysis.js';
import { decodeImage, type DecodeLimits } from '../imaging/decode-image.js';
import type { RgbImage } from '../imaging/rgb-image.js';
import { assessQuality, type QualityPolicy, type QualityReport } from '../quality/assess-quality.js';
import {
  assessFramePresentation,
  DEFAULT_PRESENTATION_POLICY,
  type PresentationPolicy,
  type PresentationVerdict,
} from '../pad/frame-presentation.js';
import { createEngine } from '../engines/engine-registry.js';
import type { BurstLivenessPolicy, LivenessVerdict } from '../pad/burst-liveness.js';
import type { ChallengeAction, ChallengeVerdict } from '../pad/challenge-evaluation.js';
import { judgeBurst } from '../pad/judge-burst.js';
import { trackLandmarks, type BurstTracks } from '../pad/burst-tracks.js';
import type { FaceEngine } from '../engines/engine-port.js';
import { createTemplate } from '../templates/template.js';
import { encodeTemplate } from '../templates/template-codec.js';
import { UnknownEngine } from '../errors/domain-errors.js';
import { pickCandidate, selectFace, type MultipleFacePolicy } from './face-selection.js';

export interface PipelineSettings {
  readonly burstLiveness: Partial<BurstLivenessPolicy>;
  readonly decode: Partial<DecodeLimits>;
  readonly quality: Partial<QualityPolicy>;
  readonly presentation: PresentationPolicy;
  readonly analyzer: Partial<AnalyzerSettings>;
}

export const DEFAULT_PIPELINE_SETTINGS: PipelineSettings = {
  burstLiveness: {},
  decode: {},
  quality: {},
  presentation: DEFAULT_PRESENTATION_POLICY,
  analyzer: {},
};

export type { MultipleFacePolicy } from './face-selection.js';

export interface ProcessOptions {
  /** Engines to compute templates for; empty means analysis only (detect, quality, PAD). */
  readonly engines: readonly string[];
  readonly multipleFaces: MultipleFacePolicy;
}

export interface FaceSummary {
  readonly box: FaceAnalysis['box'];
  readonly detectionScore: number;
  readonly pose: FaceAnalysis['pose'];
  readonly landmarks: number;
}

export interface EngineTemplate {
  readonly engine: string;
  readonly engineVersion: string;
  /** The encoded, versioned binary template (see templates/template-codec.ts). */
  readonly template: Uint8Array;
}

export interface StageTimings {
  decodeMs: number;
  analyzeMs: number;
  qualityMs: number;
  embedMs: Record<string, number>;
  totalMs: number;
}

export interface ProcessedFace {
  readonly face: FaceSummary;
  readonly quality: QualityReport;
  readonly presentation: PresentationVerdict;
  readonly templates: EngineTemplate[];
}

export interface ProcessResult {
  readonly image: { width: number; height: number; format: string };
  /** Faces the detector found in the image (all of them, before the multiple-face policy). */
  readonly facesFound: number;
  readonly selected: ProcessedFace;
  readonly timings: StageTimings;
}

export interface BurstOptions {
  /** Engines to compute the best frame's templates for; empty means liveness only. */
  readonly engines: readonly string[];
  /** A liveness session's challenge: the burst must perform these actions in this order. */
  readonly challenge?: readonly ChallengeAction[];
  /**
   * assessAnalysedBurst only: the tracks of these very frames that this service made when it judged
   * them before (BurstResult.tracks of a stream's judgement): the frames are then neither decoded nor
   * followed again, only the best one is decoded, to embed. Ignored unless one entry per frame.
   */
  readonly tracks?: BurstTracks;
}

export interface BurstResult {
  readonly frames: number;
  readonly liveness: LivenessVerdict;
  /** Whether the burst performed the challenge it was given, step by step; absent without one. */
  readonly challenge?: ChallengeVerdict;
  /**
   * The frame to match with, when the burst is live and engines were asked: the acceptable frame
   * of highest quality (the first frame when none is acceptable, so its gates give the reason).
   */
  readonly best?: ProcessedFace & { readonly frameIndex: number };
  /** The frames' landmarks followed through their pixels, as the judgement used them (numbers only, no pixels). */
  readonly tracks?: BurstTracks;
}

/** One frame analysed ahead of its burst's judgement: the largest face and its quality and PAD verdicts. */
export interface AnalysedFrame {
  readonly face: FaceAnalysis;
  /** Without templates: only the burst's best frame is embedded, once the burst is judged. */
  readonly described: ProcessedFace;
}

/** A streamed frame: its bytes (the best frame is decoded again to embed) and its analysis. */
export interface AnalysedBurstFrame {
  readonly image: Uint8Array;
  readonly analysis: AnalysedFrame;
}

export interface DetectResult {
  readonly image: { width: number; height: number; format: string };
  readonly faces: Array<{ face: FaceSummary; quality: QualityReport; presentation: PresentationVerdict }>;
  readonly timings: StageTimings;
}

/**
 * decode → detect → mesh → pose → quality → presentation-attack scores → align + embed.
 * One instance per worker thread; models load once in `create`.
 */
export class FacePipeline {
  private constructor(
    private readonly analyzer: HumanFaceAnalyzer,
    private readonly engines: ReadonlyMap<string, FaceEngine>,
    private readonly settings: PipelineSettings,
  ) {}

  static async create(engineIds: readonly string[], settings: Partial<PipelineSettings> = {}): Promise<FacePipeline> {
    const full = { ...DEFAULT_PIPELINE_SETTINGS, ...settings };
    const analyzer = await HumanFaceAnalyzer.create(full.analyzer);
    const engines = new Map<string, FaceEngine>();
    for (const id of engineIds) {
      const engine = createEngine(id);
      await engine.load();
      engines.set(id, engine);
    }
    return new FacePipeline(analyzer, engines, full);
  }

  async detect(bytes: Uint8Array): Promise<DetectResult> {
    const started = performance.now();
    const decoded = await decodeImage(bytes, this.settings.decode);
    const decodedAt = performance.now();
    const faces = await this.analyzer.analyze(decoded.image);
    const analyzedAt = performance.now();
    const described = faces.map((face) => this.describe(decoded.image, face));
    const done = performance.now();
    return {
      image: imageSummary(decoded),
      faces: described,
      timings: {
        decodeMs: decodedAt - started,
        analyzeMs: analyzedAt - decodedAt,
        qualityMs: done - analyzedAt,
        embedMs: {},
        totalMs: done - started,
      },
    };
  }

  async process(bytes: Uint8Array, options: ProcessOptions): Promise<ProcessResult> {
    const engines = this.loaded(options.engines);
    const started = performance.now();
    const decoded = await decodeImage(bytes, this.settings.decode);
    const decodedAt = performance.now();
    // Only the face the policy selects gets the mesh, quality and PAD models.
    const { facesFound, faces } = await this.analyzer.analyzeChosen(
      decoded.image,
      (candidates) => pickCandidate(candidates, decoded.image, options.multipleFaces),
      { faceres: engines.some((e) => e.needs.faceres) },
    );
    const analyzedAt = performance.now();
    const face = selectFace(faces, decoded.image, options.multipleFaces);
    const described = this.describe(decoded.image, face);
    const describedAt = performance.now();
    const embedMs: Record<string, number> = {};
    const templates = await this.embed(engines, decoded.image, face, embedMs);
    const done = performance.now();
    return {
      image: imageSummary(decoded),
      facesFound,
      selected: { ...described, templates },
      timings: {
        decodeMs: decodedAt - started,
        analyzeMs: analyzedAt - decodedAt,
        qualityMs: describedAt - analyzedAt,
        embedMs,
        totalMs: done - started,
      },
    };
  }

  /**
   * Multi-frame liveness: a short burst from one camera must show a blink or a head turn and real
   * motion, besides per-frame PAD scores. The subject is the largest face of each frame.
   */
  async assessBurst(frames: readonly Uint8Array[], options: BurstOptions = { engines: [] }): Promise<BurstResult> {
    const analysed: Array<{ image: RgbImage; face: FaceAnalysis }> = [];
    for (const bytes of frames) analysed.push(await this.analyzeLargest(bytes));
    const faces = analysed.map(({ face }) => face);
    const images = analysed.map(({ image }) => image);
    return this.judgeBurst(
      faces,
      async (index) => images[index]!,
      trackLandmarks(images, faces),
      () => analysed.map(({ image, face }) => this.describe(image, face)),
      options,
    );
  }

  /**
   * One frame of a burst streamed while the shopper performs (POST /v1/liveness-sessions/:id/frames):
   * analysed and described as assessBurst does each of its frames, so that judging the burst later
   * (assessAnalysedBurst) needs no second look at any frame but the one embedded.
   */
  async analyzeFrame(bytes: Uint8Array): Promise<AnalysedFrame> {
    const { image, face } = await this.analyzeLargest(bytes);
    return { face, described: this.describe(image, face) };
  }

  /**
   * assessBurst for frames analysed earlier (analyzeFrame): the same judgement. The frames are decoded
   * again (a few milliseconds each) because the liveness check follows the face through their pixels,
   * unless `options.tracks` holds what following them gave when this service judged them before.
   */
  async assessAnalysedBurst(frames: readonly AnalysedBurstFrame[], options: BurstOptions = { engines: [] }): Promise<BurstResult> {
    const faces = frames.map(({ analysis }) => analysis.face);
    const decode = async (index: number) => (await decodeImage(frames[index]!.image, this.settings.decode)).image;
    const known = options.tracks && options.tracks.points.length === frames.length ? options.tracks : undefined;
    const images: RgbImage[] = [];
    if (!known) for (let index = 0; index < frames.length; index += 1) images.push(await decode(index));
    return this.judgeBurst(
      faces,
      async (index) => images[index] ?? decode(index),
      known ?? trackLandmarks(images, faces),
      () => frames.map(({ analysis }) => analysis.described),
      options,
    );
  }

  private async analyzeLargest(bytes: Uint8Array): Promise<{ image: RgbImage; face: FaceAnalysis }> {
    const { image } = await decodeImage(bytes, this.settings.decode);
    return { image, face: selectFace(await this.analyzer.analyze(image), image, 'largest') };
  }

  /** The one judgement of a burst's analyses, and when live, the best frame described and embedded. */
  private async judgeBurst(
    faces: readonly FaceAnalysis[],
    imageOf: (index: number) => Promise<RgbImage>,
    tracks: BurstTracks,
    describeAll: () => ProcessedFace[],
    options: BurstOptions,
  ): Promise<BurstResult> {
    const engines = this.loaded(options.engines);
    const judged = judgeBurst(faces, {
      policy: this.settings.burstLiveness,
      tracks,
      ...(options.challenge ? { challenge: options.challenge } : {}),
    });
    const { liveness } = judged;
    const challenge = judged.challenge ? { challenge: judged.challenge } : {};
    if (!judged.live || engines.length === 0) return { frames: faces.length, liveness, ...challenge, tracks };

    // The frames are already analysed here: the best one is described and embedded in this same
    // task, so a checkout with a burst is one trip to the worker pool, not two.
    const described = describeAll();
    const bestIndex = bestFrameIndex(described);
    const image = await imageOf(bestIndex);
    let face = faces[bestIndex]!;
    if (engines.some((e) => e.needs.faceres)) face = selectFace(await this.analyzer.analyze(image, { faceres: true }), image, 'largest');
    const templates = await this.embed(engines, image, face, {});
    return { frames: faces.length, liveness, ...challenge, best: { ...described[bestIndex]!, templates, frameIndex: bestIndex }, tracks };
  }

  private loaded(engineIds: readonly string[]): FaceEngine[] {
    return engineIds.map((id) => {
      const engine = this.engines.get(id);
      if (!engine) throw new UnknownEngine(`engine "${id}" is not loaded in this pipeline`, { engine: id });
      return engine;
    });
  }

  private async embed(
    engines: readonly FaceEngine[],
    image: RgbImage,
    face: FaceAnalysis,
    embedMs: Record<string, number>,
  ): Promise<EngineTemplate[]> {
    const templates: EngineTemplate[] = [];
    for (const engine of engines) {
      const embedStarted = performance.now();
      const vector = await engine.embed({ image, face });
      templates.push({
        engine: engine.id,
        engineVersion: engine.version,
        template: encodeTemplate(createTemplate(engine, vector)),
      });
      embedMs[engine.id] = performance.now() - embedStarted;
    }
    return templates;
  }

  private describe(image: RgbImage, face: FaceAnalysis): ProcessedFace {
    return {
      face: {
        box: face.box,
        detectionScore: face.detectionScore,
        pose: face.pose,
        landmarks: face.mesh.length,
      },
      quality: assessQuality(image, face, this.settings.quality),
      presentation: assessFramePresentation(face.presentation, this.settings.presentation),
      templates: [],
    };
  }
}

/** The acceptable, presentation-passing frame of highest quality; the first frame when there is none. */
export function bestFrameIndex(frames: ReadonlyArray<Pick<ProcessedFace, 'quality' | 'presentation'>>): number {
  let best = -1;
  frames.forEach((frame, index) => {
    if (!frame.quality.acceptable || !frame.presentation.passed) return;
    if (best === -1 || frame.quality.score > frames[best]!.quality.score) best = index;
  });
  return best === -1 ? 0 : best;
}

function imageSummary(decoded: { image: RgbImage; format: string }): { width: number; height: number; format: string } {
  return { width: decoded.image.width, height: decoded.image.height, format: decoded.format };
}
