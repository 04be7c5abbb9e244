/**
 * Streams a checkout's frames to its liveness session while the shopper performs
 * (POST /v1/liveness-sessions/:id/frames), so the server analyses them during the movement and the
 * checkout names them instead of sending the burst after it. One request at a time: the frames grabbed
 * while one is analysed go in the next, so the kiosk never runs ahead of the server's workers. Each
 * frame's JPEG is encoded as it is pushed, while the previous request is out. An enrollment kiosk
 * streams its own analyses of its frames the same way (POST …/evidence: landmarks, never an image).
 *
 * With `track`, every request asks the server how the frames streamed so far answer the challenge
 * (its own analyses, the kiosks' tracking code): the answers drive the prompts' ticks and tell the
 * kiosk when to stop and which frames to name. If a request fails, streaming stops and the kiosk
 * carries on without it (its own tracking, and the burst sent whole), as a kiosk that never streamed
 * does: the session is spent only by the checkout.
 */
import type { KioskIdentity } from '../../shared/kiosk-identity';
import { signedFetch } from '../../shared/signed-fetch';
import { readJson } from '../../shared/api';
import { frameJpegBase64 } from '../../shared/camera';
import type { BrowserFace } from '../../shared/face-engine-port';
import { frameEvidence } from '../enroll/enrollment';
import { traceMark } from '../../shared/trace';

/** The route takes at most 8 frames a request. */
const FRAMES_PER_REQUEST = 8;

/** The server's answer to `track` (src/checkout/session-frames.ts StreamProgress). */
export interface StreamProgress {
  readonly steps: ReadonlyArray<{ readonly action: string; readonly met: boolean }>;
  /** The frames to name in the checkout: indices in the stream. */
  readonly burst: readonly number[];
  /** The checkout's burst judgement passes on `burst`: stop capturing. */
  readonly live: boolean;
}

/** What a stream carries: a checkout's frames as JPEGs, or an enrollment kiosk's analyses of its frames. */
interface StreamKind<T> {
  readonly path: 'frames' | 'evidence';
  /** The item as the request carries it; started when the item is pushed. */
  encode(item: T): Promise<unknown>;
}

const IMAGES: StreamKind<HTMLCanvasElement> = { path: 'frames', encode: frameJpegBase64 };
const EVIDENCE: StreamKind<BrowserFace> = { path: 'evidence', encode: async (face) => frameEvidence(face) };

type StreamerOptions = { readonly track?: boolean; readonly onProgress?: (progress: StreamProgress) => void };

export class FrameStreamer<T = HTMLCanvasElement> {
  /** A checkout's frames. */
  static images(identity: KioskIdentity, sessionId: string, options: StreamerOptions = {}): FrameStreamer<HTMLCanvasElement> {
    return new FrameStreamer(identity, sessionId, IMAGES, options);
  }

  /** An enrollment kiosk's analyses of its frames. */
  static evidence(identity: KioskIdentity, sessionId: string, options: StreamerOptions = {}): FrameStreamer<BrowserFace> {
    return new FrameStreamer(identity, sessionId, EVIDENCE, options);
  }

  private readonly waiting: Array<Promise<unknown>> = [];
  private held = 0;
  private sending: Promise<void> | undefined;
  private broken = false;
  private stopped = false;
  private latest: StreamProgress | undefined;

  private constructor(
    private readonly identity: KioskIdentity,
    private readonly sessionId: string,
    private readonly kind: StreamKind<T>,
    private readonly options: StreamerOptions,
  ) {}

  /** Whether a request failed: nothing more is streamed, and the kiosk goes on without the stream. */
  get failed(): boolean {
    return this.broken;
  }

  /** Frames pushed and not yet sent (one request is out). */
  get backlog(): number {
    return this.waiting.length;
  }

  /** The server's last answer to `track`. */
  get progress(): StreamProgress | undefined {
    return this.latest;
  }

  /** Queues the next tracked frame (its encoding starts now); it is sent with the next request. */
  push(item: T): void {
    if (this.failed || this.stopped) return;
    const pushedAt = performance.now();
    const encoded = this.kind.encode(item);
    encoded.then(
      () => traceMark('stream:encoded', { encodeMs: Math.round(performance.now() - pushedAt) }),
      () => undefined, // a failed encoding fails the request that carries it
    );
    this.waiting.push(encoded);
    this.pump();
  }

  /** No more frames: the capture is over (the server said the frames answer the challenge, or time is up). */
  stop(): void {
    this.stopped = true;
    this.waiting.length = 0;
  }

  /** Once every pushed frame is held by the session: true; false when streaming failed (send the burst whole). */
  async finish(): Promise<boolean> {
    for (;;) {
      if (this.failed) return false;
      if (!this.sending && this.waiting.length === 0) {
        traceMark('stream:finished', { received: this.held });
        return true;
      }
      this.pump();
      await this.sending;
    }
  }

  private pump(): void {
    if (this.sending || this.failed || this.stopped || this.waiting.length === 0) return;
    this.sending = this.sendWaiting().finally(() => {
      this.sending = undefined;
      this.pump();
    });
  }

  private async sendWaiting(): Promise<void> {
    const batch = this.waiting.splice(0, FRAMES_PER_REQUEST);
    try {
      const frames = await Promise.all(batch);
      const path = `/v1/liveness-sessions/${encodeURIComponent(this.sessionId)}/${this.kind.path}`;
      traceMark('stream:sent', { offset: this.held, frames: frames.length });
      const json = { offset: this.held, frames, ...(this.options.track ? { track: true } : {}) };
      const answer = await readJson<{ received: number; progress?: StreamProgress }>(await signedFetch(path, this.identity, { json }));
      this.held = answer.received;
      traceMark('stream:answered', { received: this.held, ...(answer.progress ? { live: answer.progress.live } : {}) });
      if (answer.progress) {
        this.latest = answer.progress;
        this.options.onProgress?.(answer.progress);
      }
    } catch {
      this.broken = true;
    }
  }
}
