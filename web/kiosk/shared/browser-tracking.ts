/**
 * Following the shopper on the BROWSER's analyses: grab a frame every ~170 ms, analyse it with the
 * face engine, run the server's own tracking (src/kiosk/challenge-tracking.ts) on the frames so far,
 * tick each step off, and stop once the server's whole judgement would pass on the frames the kiosk
 * would send. The enrollment kiosk sends these analyses (the server judges them again, the same
 * numbers); a checkout kiosk falls back to this when it cannot stream, and sends the frames whole.
 */
import type { BrowserFace, FaceEnginePort } from '../../shared/face-engine-port';
import { frameJpegBase64, grabFrame } from '../../shared/camera';
import { traceMark } from '../../shared/trace';
import type { FaceAnalysis } from '../../../src/analysis/face-analysis.js';
import type { BurstTracks } from '../../../src/pad/burst-tracks.js';
import { pixelTracks, type PixelTracks } from './pixel-tracks';
import { analysisOf, prepareJudgement, sameBurst, sameMesh, selectFramesToSend, trackBurst, TRACK_INTERVAL_MS, type TrackedBurst } from './challenge-tracking';

export interface StepProgress {
  readonly action: string;
  readonly done: boolean;
}

export interface BrowserTracked {
  /** The frames kept (one face each, no repeats), in order, and the engine's face in each. */
  readonly frames: HTMLCanvasElement[];
  readonly faces: BrowserFace[];
  /** The frames to send: indices into `frames` (trackBurst's burst). */
  readonly burst: readonly number[];
  readonly met: boolean;
  /** When the judgement passed. */
  readonly metAt?: number;
  readonly lastFrameAt: number;
  /** With `followPixels`: the tracks of the burst's frames, made while the shopper moved (null if they could not be). */
  readonly tracks?: BurstTracks | null;
}

/** Spare time is used only when at least this much is left before the next frame (a template takes ~45 ms). */
const SPARE_TIME_MS = 45;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Follows the shopper until the judgement passes (then `followThrough` more kept frames) or `deadline`.
 * `backlog`: frames grabbed already (a checkout whose stream failed), analysed first. Frames without
 * exactly one face are not evidence of one person performing and are left out.
 */
export async function followInBrowser(
  video: HTMLVideoElement,
  engine: FaceEnginePort,
  challenge: readonly string[],
  onProgress: (steps: readonly StepProgress[]) => void,
  options: {
    readonly followThrough: number;
    readonly encodeAhead: boolean;
    readonly deadline: number;
    readonly backlog?: readonly HTMLCanvasElement[];
    /** Each frame kept as evidence, as it is kept, with the engine's face in it. */
    readonly onFrame?: (frame: HTMLCanvasElement, face: BrowserFace) => void;
    /**
     * Follow the kept frames' pixels as they are kept (pixel-tracks.ts) and judge with the tracks, as
     * the server judges a burst sent with them (enrollment: the kiosk sends its tracks, not its frames).
     */
    readonly followPixels?: boolean;
    /**
     * Work for the capture's spare time (enrollment: the template of the best frame so far), given the
     * frames kept from where the performance is judged: called while the loop would wait for the next
     * frame or for the worker's tracks, never while the engine analyses a frame.
     */
    readonly spareTime?: (frames: readonly HTMLCanvasElement[], faces: readonly BrowserFace[]) => Promise<void>;
  },
): Promise<BrowserTracked> {
  const frames: HTMLCanvasElement[] = [];
  const faces: BrowserFace[] = [];
  const analyses: FaceAnalysis[] = [];
  const backlog = [...(options.backlog ?? [])];
  let tracked: TrackedBurst | undefined;
  const metSoFar = new Set<number>();
  let lastFrameAt = performance.now();
  let metAt: number | undefined;
  let metAtCount = 0;
  const pixels = options.followPixels ? pixelTracks() : undefined;
  const done = () => metAt !== undefined && frames.length >= metAtCount + options.followThrough;
  while (performance.now() < options.deadline && !done()) {
    const tick = performance.now();
    const fromBacklog = backlog.shift();
    const canvas = fromBacklog ?? grabFrame(video);
    if (!fromBacklog) lastFrameAt = performance.now();
    try {
      const found = await engine.analyze(canvas);
      const analysedAt = performance.now();
      // Any frame seen before, not only the last: a looping clip (a replayed video) repeats frames a loop apart,
      // and the server compares every pair.
      const kept = found.length === 1 && !faces.some((seen) => sameMesh(seen, found[0]!));
      if (kept) {
        frames.push(canvas);
        if (options.encodeAhead) void frameJpegBase64(canvas).catch(() => undefined);
        options.onFrame?.(canvas, found[0]!);
        faces.push(found[0]!);
        analyses.push(analysisOf(found[0]!));
        pixels?.add(canvas, analyses[analyses.length - 1]!);
        if (metAt === undefined) {
          const meanwhile = options.spareTime ? (from: number) => options.spareTime!(frames.slice(from), faces.slice(from)) : undefined;
          tracked = pixels ? await judgedWithTracks(analyses, challenge, pixels, meanwhile) : trackBurst(analyses, challenge);
          tracked.verdict.steps.forEach((step, i) => {
            if (step.met && !metSoFar.has(i)) {
              metSoFar.add(i);
              traceMark('capture:step-met', { step: i, frame: frames.length - 1 });
            }
          });
          onProgress(tracked.verdict.steps.map((step) => ({ action: step.action, done: step.met })));
          if (tracked.live) {
            metAt = performance.now();
            metAtCount = frames.length;
            traceMark('capture:accepted', { frame: frames.length - 1 });
          } else {
            // While the shopper moves: the pair the next judgement will need, in this frame's spare time.
            pixels?.follow(tracked.start, frames.length - 1);
            prepareJudgement(analyses, tracked.start);
          }
        }
      }
      traceMark('capture:frame', {
        grabbedAt: tick,
        analyzeMs: Math.round(analysedAt - tick),
        judgeMs: Math.round(performance.now() - analysedAt),
        faces: found.length,
        kept,
        yaw: found[0] ? Math.round(found[0].pose.yaw) : null,
        pitch: found[0] ? Math.round(found[0].pose.pitch) : null,
      });
    } catch {
      // A frame the engine could not read is simply not evidence; the next one may be.
    }
    // Done: no wait for a next frame that will not be grabbed.
    if (backlog.length === 0 && !done()) {
      if (options.spareTime && tracked && TRACK_INTERVAL_MS - (performance.now() - tick) >= SPARE_TIME_MS) {
        await options.spareTime(frames.slice(tracked.start), faces.slice(tracked.start)).catch(() => undefined);
      }
      await sleep(Math.max(0, TRACK_INTERVAL_MS - (performance.now() - tick)));
    }
  }
  traceMark('capture:ended', { frames: frames.length });
  // The burst begins where the performance does and ends with the last frame kept (the follow-through).
  const last = tracked;
  const burst = last ? selectFramesToSend(frames.length - last.start, last.verdict.steps.map((step) => step.atFrame)).map((i) => i + last.start) : [];
  const tracks = pixels ? { tracks: await pixels.tracksOf(burst) } : {};
  pixels?.close();
  return { frames, faces, burst, met: metAt !== undefined, ...(metAt !== undefined ? { metAt } : {}), lastFrameAt, ...tracks };
}

/**
 * trackBurst judged with the tracks of the burst it would send, as the server judges a burst sent
 * with its tracks: the tracks are asked for only once every step is met (the pairs they need were
 * followed in the worker as the frames came).
 */
async function judgedWithTracks(
  analyses: readonly FaceAnalysis[],
  challenge: readonly string[],
  pixels: PixelTracks,
  meanwhile?: (start: number) => Promise<void>,
): Promise<TrackedBurst> {
  const unjudged = trackBurst(analyses, challenge, {}, { judge: false });
  if (!unjudged.live) return unjudged;
  // This thread waits for the worker's last pair: the spare time's work goes on meanwhile.
  const asked = performance.now();
  const [tracks] = await Promise.all([pixels.tracksOf(unjudged.burst), meanwhile?.(unjudged.start).catch(() => undefined)]);
  traceMark('capture:tracks', { waitMs: Math.round(performance.now() - asked), tracked: tracks !== null });
  return trackBurst(analyses, challenge, {}, { tracksOf: (burst) => (sameBurst(burst, unjudged.burst) ? tracks : null) });
}
