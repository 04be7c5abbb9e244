/**
 * Following the shopper on the SERVER's analyses (checkout): every new camera frame is streamed to the
 * liveness session as it is grabbed (its JPEG encoded while the previous request is out), and each
 * answer says how the frames so far answer the challenge, judged by the server on its own analyses with
 * the kiosks' tracking code (src/kiosk/challenge-tracking.ts). The prompts are ticked from those
 * answers, and the capture ends the moment the server says the frames pass: the checkout then names
 * exactly the frames it picked. The browser analyses nothing meanwhile, so on a machine that is kiosk
 * and service at once each frame is analysed once, not twice; and no frames are recorded after the
 * last step "in case the server sees it differently".
 */
import type { KioskIdentity } from '../../shared/kiosk-identity';
import { frameFingerprint, grabFrame, sameFingerprint } from '../../shared/camera';
import { traceMark } from '../../shared/trace';
import { FrameStreamer, type StreamProgress } from './frame-streamer';

/**
 * How often a frame is grabbed and streamed, at most: about what one worker analyses per second. When
 * the server is slower (a busy machine), the kiosk waits for it: a new frame is grabbed only once the
 * previous one has left, so the server's answer is never more than a frame or two behind the shopper
 * (frames piling up made the answer to the last movement wait for the analysis of all of them).
 */
export const STREAM_INTERVAL_MS = 150;
/** How often the kiosk looks whether the stream has room for the next frame. */
const POLL_MS = 20;
/**
 * A session holds at most 64 streamed frames (checkout/session-frames.ts); past that its stream is
 * refused. A shopper still not done after 60 (9 s at STREAM_INTERVAL_MS) is not waited for longer: the
 * kiosk names what the server would judge and lets it decide.
 */
export const MAX_STREAMED_FRAMES = 60;

export interface ServerTracked {
  readonly streamer: FrameStreamer;
  /** Every frame grabbed and streamed, in order: stream index i is frames[i]. */
  readonly frames: HTMLCanvasElement[];
  /** The server's last progress; `live` when it said the frames answer the challenge. */
  readonly progress?: StreamProgress;
  /** When the server said so. */
  readonly metAt?: number;
  readonly lastFrameAt: number;
  /** The stream failed: the caller goes on without it (the frames grabbed so far are in `frames`). */
  readonly streamFailed: boolean;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Grabs and streams to the session until the server's answer is live, the stream fails, or `deadline`. */
export async function followOnServer(
  video: HTMLVideoElement,
  identity: KioskIdentity,
  sessionId: string,
  showSteps: (steps: StreamProgress['steps']) => void,
  deadline: number,
): Promise<ServerTracked> {
  const frames: HTMLCanvasElement[] = [];
  const seen: Uint8ClampedArray[] = [];
  let lastFrameAt = performance.now();
  let metAt: number | undefined;
  let wake: (() => void) | undefined;
  const metSoFar = new Set<number>();
  const onProgress = (progress: StreamProgress) => {
    progress.steps.forEach((step, i) => {
      if (step.met && !metSoFar.has(i)) {
        metSoFar.add(i);
        traceMark('capture:step-met', { step: i });
      }
    });
    showSteps(progress.steps);
    if (progress.live && metAt === undefined) {
      metAt = performance.now();
      streamer.stop();
      traceMark('capture:accepted', { frames: progress.burst.length });
      wake?.();
    }
  };
  const streamer = FrameStreamer.images(identity, sessionId, { track: true, onProgress });
  let lastGrabAt = -Infinity;
  while (metAt === undefined && !streamer.failed && performance.now() < deadline && frames.length < MAX_STREAMED_FRAMES) {
    const tick = performance.now();
    if (tick - lastGrabAt < STREAM_INTERVAL_MS - 1 || streamer.backlog > 0) {
      await Promise.race([sleep(POLL_MS), new Promise<void>((resolve) => (wake = resolve))]);
      wake = undefined;
      continue;
    }
    lastGrabAt = tick;
    const canvas = grabFrame(video);
    const fingerprint = frameFingerprint(canvas);
    // The same picture again (no new camera frame yet, or a looping clip come round): not a new frame.
    const fresh = !seen.some((other) => sameFingerprint(other, fingerprint));
    if (fresh) {
      lastFrameAt = tick;
      seen.push(fingerprint);
      frames.push(canvas);
      streamer.push(canvas);
    }
    traceMark('capture:frame', { grabbedAt: tick, kept: fresh, judgeMs: 0 });
  }
  traceMark('capture:ended', { frames: frames.length });
  // Out of time: the frames still on their way are judged too, and the last answer decides what to name.
  if (metAt === undefined && !streamer.failed) await streamer.finish();
  const progress = streamer.progress;
  return { streamer, frames, ...(progress ? { progress } : {}), ...(metAt !== undefined ? { metAt } : {}), lastFrameAt, streamFailed: streamer.failed };
}
