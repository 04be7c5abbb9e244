export {
  createBrowserFaceEngine,
  DEFAULT_BROWSER_ENGINE_ID,
  type BrowserFace,
  type BrowserFaceEngine,
  type BrowserFaceEngineOptions,
  type GuidanceCode,
  type GuidanceReason,
} from './browser-face-engine.js';
export type { EngineFrame } from './frame-pixels.js';
