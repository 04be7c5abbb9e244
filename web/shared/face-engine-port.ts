/**
 * What the kiosk apps need from the browser face engine (web/engine/, contract: "Browser face
 * engine"). The engine module is found by a lazy glob: when web/engine/index.ts exists it is
 * bundled as its own chunk and loaded on demand; when it does not (or its models fail to load),
 * the kiosk falls back to upload mode, where the server analyses JPEG frames itself.
 */

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
  /** An FKT1 template of `face` in `frame`, made with web-config's engine. */
  template(frame: EngineFrame, face: BrowserFace): Promise<Uint8Array>;
  /** Reasons the capture is not good yet (i18n keys `guidance.<reason>`); empty when it is. */
  guidance(face: BrowserFace, frame: EngineFrame): readonly string[];
}

interface EngineModule {
  createBrowserFaceEngine(options: { modelsBase: string }): FaceEnginePort | Promise<FaceEnginePort>;
}

const engineModules = import.meta.glob<EngineModule>('../engine/index.ts');

/** The engine, or undefined when this build has none or it cannot start on this device. */
export async function loadFaceEngine(modelsBase = '/models'): Promise<FaceEnginePort | undefined> {
  const load = Object.values(engineModules)[0];
  if (!load) return undefined;
  try {
    return await (await load()).createBrowserFaceEngine({ modelsBase });
  } catch (error) {
    console.warn('facekey: the face engine did not start; using upload mode', error);
    return undefined;
  }
}
