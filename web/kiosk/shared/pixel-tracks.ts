/**
 * The kiosk's side of the burst tracker (src/pad/burst-tracks.ts, the service's code): the frames a
 * kiosk keeps are followed through their pixels as they are kept, so that when the capture ends the
 * tracks of the burst it sends are made already. Following one pair costs 40–170 ms in the browser
 * (eight frames 0.3–0.45 s): left to the end it was on the shopper's time, and done in the capture
 * loop it spaced the frames out. So it runs in a worker (pixel-tracks.worker.ts), on the other core,
 * while this thread analyses the next frame; where there are no workers (tests), in this thread.
 * The worker holds each kept frame's grey pyramid (1.6 MB for 640×480) until the capture ends and the
 * worker with it: at most ~60 frames (10 s at ~6 a second), ~100 MB, beside the canvases the capture
 * keeps anyway. Only where the landmarks went leaves the kiosk, never the pixels. Gives up (no tracks: the server
 * judges the analyses alone) as soon as one kept frame's pixels cannot be read or its face carries
 * no full mesh.
 */
import type { RgbImage } from '../../../src/imaging/rgb-image.js';
import { BurstTracker, type BurstTracks, type TrackedFace } from '../../../src/pad/burst-tracks.js';
import { framePixels, rgbFromRgba, type EngineFrame } from '../../engine/frame-pixels';
import type { TrackerReply, TrackerRequest } from './pixel-tracks-protocol';

/** The mesh the tracker starts from (the engine's 468 landmarks, or 478 with the irises). */
const FULL_MESH = 468;

export interface PixelTracks {
  /** Adds a kept frame and the face analysed in it; false (and no tracks from now on) when it cannot be followed. */
  add(frame: EngineFrame, face: TrackedFace): boolean;
  /** Follows the landmarks of kept frame `from` into kept frame `to` ahead of need (the capture's spare time). */
  follow(from: number, to: number): void;
  /** The tracks of the kept frames at `indices` (the first is the burst's frame 0); null when not tracking. */
  tracksOf(indices: readonly number[]): Promise<BurstTracks | null>;
  /** Frees the frames held (the worker ends). */
  close(): void;
}

/** A tracker in a worker where the browser has them, else in this thread. */
export function pixelTracks(): PixelTracks {
  if (typeof Worker === 'undefined') return new TracksHere();
  try {
    return new TracksInWorker(
      new Worker(new URL('./pixel-tracks.worker.ts', import.meta.url), { type: 'module', name: 'facekey-pixel-tracks' }),
    );
  } catch {
    return new TracksHere();
  }
}

/** What a frame gives the tracker, or undefined when it cannot be followed. */
function trackable(frame: EngineFrame, face: TrackedFace): RgbImage | undefined {
  return face.mesh.length >= FULL_MESH ? pixelsOf(frame) : undefined;
}

/** In this thread: the tests' tracker, and the fallback. */
export class TracksHere implements PixelTracks {
  private readonly tracker = new BurstTracker();
  private readable = true;

  add(frame: EngineFrame, face: TrackedFace): boolean {
    const image = this.readable ? trackable(frame, face) : undefined;
    if (image) this.tracker.add(image, { mesh: face.mesh });
    else this.readable = false;
    return this.readable;
  }

  follow(from: number, to: number): void {
    if (this.readable) this.tracker.follow(from, to);
  }

  async tracksOf(indices: readonly number[]): Promise<BurstTracks | null> {
    return this.readable && indices.length > 0 ? this.tracker.tracksOf(indices) : null;
  }

  close(): void {}
}

/** In a worker: requests go in order, so a `tracks` request is answered after every frame and pair before it. */
class TracksInWorker implements PixelTracks {
  private readable = true;
  private nextId = 0;
  private readonly pending = new Map<number, (reply: TrackerReply) => void>();

  constructor(private readonly worker: Worker) {
    worker.onmessage = (event: MessageEvent<TrackerReply>) => {
      this.pending.get(event.data.id)?.(event.data);
      this.pending.delete(event.data.id);
    };
    // A worker that cannot run (its script refused, an error inside) leaves no tracks: the analyses are judged alone.
    worker.onerror = () => this.fail();
  }

  add(frame: EngineFrame, face: TrackedFace): boolean {
    const image = this.readable ? trackable(frame, face) : undefined;
    if (!image) {
      this.fail();
      return false;
    }
    // A copy the worker owns (the engine may hold on to the pixels it converted).
    const data = image.data.slice();
    this.post({ type: 'add', width: image.width, height: image.height, data, mesh: face.mesh.map(({ x, y }) => ({ x, y })) }, [
      data.buffer,
    ]);
    return true;
  }

  follow(from: number, to: number): void {
    if (this.readable) this.post({ type: 'follow', from, to });
  }

  tracksOf(indices: readonly number[]): Promise<BurstTracks | null> {
    if (!this.readable || indices.length === 0) return Promise.resolve(null);
    const id = (this.nextId += 1);
    return new Promise((resolve) => {
      this.pending.set(id, (reply) => resolve(reply.tracks));
      this.post({ type: 'tracks', id, indices: [...indices] });
    });
  }

  close(): void {
    this.fail();
    this.worker.terminate();
  }

  private post(request: TrackerRequest, transfer: Transferable[] = []): void {
    this.worker.postMessage(request, transfer);
  }

  private fail(): void {
    this.readable = false;
    for (const answer of this.pending.values()) answer({ id: -1, tracks: null });
    this.pending.clear();
  }
}

/**
 * RGB of the frame, read as the engine reads it (web/engine/frame-pixels.ts); undefined when it cannot
 * be read (a video element with no picture yet, or no canvas in this environment).
 */
export function pixelsOf(
  frame: EngineFrame | { readonly width: number; readonly height: number; readonly data: Uint8ClampedArray },
): RgbImage | undefined {
  try {
    const image = 'data' in frame && frame.data instanceof Uint8ClampedArray ? rgbFromRgba(frame) : framePixels(frame as EngineFrame);
    return image.data.length === image.width * image.height * 3 && image.data.length > 0 ? image : undefined;
  } catch {
    return undefined;
  }
}
