/**
 * What the kiosk apps need from the browser face engine (web/engine/, contract: "Browser face
 * engine"), narrowed to what the apps call, so their tests can stand in a fake. When the engine
 * cannot start (its models fail to load), the kiosk falls back to upload mode, where the server
 * analyses JPEG frames itself.
 */
import { traceMark } from './trace';

/** One face as the engine saw it, in the frame's pixel coordinates (= FrameEvidence in the contract). */
export interface BrowserFace {
  readonly width: number;
  readonly height: number;
  readonly box: { readonly x: number; readonly y: number; readonly width: number; readonly height: number };
  readonly detectionScore: number;
  readonly mesh: ReadonlyArray<readonly [number, number]>;
  readonly meshDepth: readonly number[];
  readonly pose: { readonly yaw: number; readonly pitch: number; readonly roll: number };
  readonly presentation: { readonly antispoof: number | null; readonly liveness: number | null };
}

export type EngineFrame = ImageData | HTMLVideoElement | HTMLCanvasElement;

export interface FaceEnginePort {
  analyze(frame: EngineFrame): Promise<readonly BrowserFace[]>;
  /** An FKT1 template of `face` in `frame`, made with web-config's engine (refused by an engine loaded without it). */
  template(frame: EngineFrame, face: BrowserFace): Promise<Uint8Array>;
  /** Reasons the capture is not good yet (i18n keys `guidance.<reason>`); empty when it is. */
  guidance(face: BrowserFace, frame: EngineFrame): readonly string[];
}

/**
 * The engine, or undefined when it cannot start on this device (then the kiosk uses upload mode).
 * `recognizer: false`: a kiosk that never makes a template (checkout) loads only what analyses faces.
 */
export async function loadFaceEngine(modelsBase = '/models', options: { readonly recognizer?: boolean } = {}): Promise<FaceEnginePort | undefined> {
  try {
    traceMark('engine:requested');
    // Its own chunk, loaded on demand: the console and the privacy portal never download the models.
    const { createBrowserFaceEngine } = await import('../engine/index.js');
    const engine = await createBrowserFaceEngine({ modelsBase, ...(options.recognizer === false ? { recognizer: false } : {}) });
    traceMark('engine:ready');
    return {
      analyze: (frame) => engine.analyze(frame),
      template: (frame, face) => engine.template(frame, face as Parameters<typeof engine.template>[1]),
      guidance: (face, frame) => engine.guidance(face as Parameters<typeof engine.guidance>[0], frame).map((reason) => reason.code),
    };
  } catch (error) {
    console.warn('facekey: the face engine did not start; using upload mode', error);
    return undefined;
  }
}
