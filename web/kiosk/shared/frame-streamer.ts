/**
 * Streams a checkout's frames to its liveness session while the shopper performs
 * (POST /v1/liveness-sessions/:id/frames), so the server analyses them during the movement and the
 * checkout names them instead of sending the burst after it. One request at a time: the frames grabbed
 * while one is analysed go in the next, so the kiosk never runs ahead of the server's workers. If a
 * request fails, streaming stops and the checkout sends the burst whole, as a kiosk that never
 * streamed does: the session is spent only by the checkout.
 */
import type { KioskIdentity } from '../../shared/kiosk-identity';
import { signedFetch } from '../../shared/signed-fetch';
import { readJson } from '../../shared/api';
import { frameJpegBase64 } from '../../shared/camera';
import { traceMark } from '../../shared/trace';

/** The route takes at most 8 frames a request. */
const FRAMES_PER_REQUEST = 8;

export class FrameStreamer {
  private readonly waiting: HTMLCanvasElement[] = [];
  private held = 0;
  private sending: Promise<void> | undefined;
  private failed = false;

  constructor(
    private readonly identity: KioskIdentity,
    private readonly sessionId: string,
  ) {}

  /** Queues the next tracked frame; it is sent with the next request. */
  push(frame: HTMLCanvasElement): void {
    if (this.failed) return;
    this.waiting.push(frame);
    this.pump();
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
    if (this.sending || this.failed || this.waiting.length === 0) return;
    this.sending = this.sendWaiting().finally(() => {
      this.sending = undefined;
      this.pump();
    });
  }

  private async sendWaiting(): Promise<void> {
    const batch = this.waiting.splice(0, FRAMES_PER_REQUEST);
    try {
      const frames = await Promise.all(batch.map(frameJpegBase64));
      const path = `/v1/liveness-sessions/${encodeURIComponent(this.sessionId)}/frames`;
      traceMark('stream:sent', { offset: this.held, frames: frames.length });
      const answer = await readJson<{ received: number }>(await signedFetch(path, this.identity, { json: { offset: this.held, frames } }));
      this.held = answer.received;
      traceMark('stream:answered', { received: this.held });
    } catch {
      this.failed = true;
    }
  }
}
