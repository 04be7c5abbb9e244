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
import { assessBurstLiveness, type BurstLivenessPolicy, type LivenessVerdict } from '../pad/burst-liveness.js';
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

export interface BurstResult {
  readonly frames: number;
  readonly liveness: LivenessVerdict;
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

  engineDescriptors(): Array<Pick<FaceEngine, 'id' | 'version' | 'dimension' | 'dtype' | 'metric'>> {
    return [...this.engines.values()].map(({ id, version, dimension, dtype, metric }) => ({ id, version, dimension, dtype, metric }));
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
    const engines = options.engines.map((id) => {
      const engine = this.engines.get(id);
      if (!engine) throw new UnknownEngine(`engine "${id}" is not loaded in this pipeline`, { engine: id });
      return engine;
    });
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
    const templates: EngineTemplate[] = [];
    for (const engine of engines) {
      const embedStarted = performance.now();
      const vector = await engine.embed({ image: decoded.image, face });
      templates.push({
        engine: engine.id,
        engineVersion: engine.version,
        template: encodeTemplate(createTemplate(engine, vector)),
      });
      embedMs[engine.id] = performance.now() - embedStarted;
    }
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
  async assessBurst(frames: readonly Uint8Array[]): Promise<BurstResult> {
    const analyses: FaceAnalysis[] = [];
    for (const bytes of frames) {
      const decoded = await decodeImage(bytes, this.settings.decode);
      const faces = await this.analyzer.analyze(decoded.image);
      analyses.push(selectFace(faces, decoded.image, 'largest'));
    }
    return { frames: frames.length, liveness: assessBurstLiveness(analyses, this.settings.burstLiveness) };
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

function imageSummary(decoded: { image: RgbImage; format: string }): { width: number; height: number; format: string } {
  return { width: decoded.image.width, height: decoded.image.height, format: decoded.format };
}
