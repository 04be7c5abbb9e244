/**
 * Frames a checkout kiosk streams to its liveness session WHILE the shopper performs the challenge
 * (POST /v1/liveness-sessions/:id/frames). Each is analysed in the worker pool as it arrives, so the
 * checkout that names the session, and which of its frames form the burst, waits only for the burst's
 * judgement and the best frame's embedding, not for the analysis of every frame after the last movement.
 *
 * Nothing is judged here: the checkout judges the frames it names exactly as frames sent whole (the
 * server's own landmarks, burst liveness with its duplicate and mirror refusals, the challenge, PAD,
 * quality). The frames are held in this node's memory only, bound to the session's terminal and
 * tenant, in order (each request says at which index its frames begin), bounded in count and bytes per
 * session and in bytes over all sessions, and dropped when a checkout takes them or, once the session
 * has expired, when the next stream opens. A checkout that lands on another node finds none (the
 * kiosk then sends the burst whole).
 *
 * A kiosk may ask, with each request, how its frames stand (`track`): the server runs the kiosks' own
 * tracking (kiosk/challenge-tracking.ts: the challenge evaluation, then the burst judgement once every
 * step is met) on ITS analyses of the frames streamed so far, and answers which steps are met, which
 * frames it would judge, and whether they pass. The kiosk stops capturing the moment they do and its
 * checkout names exactly those frames, which the checkout then judges in full again. No follow-through
 * frames "in case the server sees it differently": it is the server that says.
 */
import { Conflict, InvalidArgument, LivenessSessionRefused, Overloaded, SessionFramesExceeded } from '../errors/domain-errors.js';
import type { Inspection, SessionPurpose, SessionTerminal } from '../devices/liveness-sessions.js';
import type { AnalysedBurstFrame, AnalysedFrame } from '../pipeline/face-pipeline.js';
import type { FaceAnalysis } from '../analysis/face-analysis.js';
import type { BurstLivenessPolicy } from '../pad/burst-liveness.js';
import type { ChallengeAction } from '../pad/challenge-evaluation.js';
import { trackBurst } from '../kiosk/challenge-tracking.js';

export interface SessionFrameLimits {
  /** Frames per session: the kiosk tracks at ~6 frames a second for at most 10 s. */
  readonly maxFrames: number;
  /** JPEG bytes per session. */
  readonly maxBytesPerSession: number;
  /** JPEG bytes over every session this node holds; beyond it new frames are refused as overload. */
  readonly maxBytesTotal: number;
}

export const DEFAULT_SESSION_FRAME_LIMITS: SessionFrameLimits = {
  maxFrames: 64,
  maxBytesPerSession: 8 * 1024 * 1024,
  maxBytesTotal: 256 * 1024 * 1024,
};

/** The sessions (may this terminal still answer this one?) and the workers' analysis of one frame. */
export interface SessionFrameDeps {
  readonly sessions: { inspect(sessionId: string, terminal: SessionTerminal, purpose: SessionPurpose): Promise<Inspection> };
  readonly analyze: (image: Uint8Array) => Promise<AnalysedFrame>;
  /** The burst policy the checkout judges with (default: the built-in one), for the progress a kiosk asks for. */
  readonly burstLiveness?: Partial<BurstLivenessPolicy>;
  readonly clock?: () => Date;
}

/** How a stream answers the session's challenge so far, judged on the server's analyses of its frames. */
export interface StreamProgress {
  /** Each step of the challenge, in order, and whether it is met. */
  readonly steps: ReadonlyArray<{ readonly action: ChallengeAction; readonly met: boolean }>;
  /** The frames the kiosk would name (indices in the stream, ascending): those the tracking picks. */
  readonly burst: readonly number[];
  /** The checkout's burst judgement (liveness and challenge) passes on `burst`. */
  readonly live: boolean;
}

interface StreamedFrame {
  readonly image: Uint8Array;
  readonly analysis: Promise<AnalysedFrame>;
}

interface SessionStream {
  readonly tenantId: string;
  readonly terminalId: string;
  readonly expiresAt: number;
  readonly challenge: readonly ChallengeAction[];
  readonly frames: StreamedFrame[];
  bytes: number;
  /** The analysis of the last frame appended: the next one starts after it. */
  last: Promise<unknown>;
}

export class SessionFrames {
  private readonly streams = new Map<string, SessionStream>();
  private readonly limits: SessionFrameLimits;
  private readonly clock: () => Date;
  private bytesHeld = 0;

  constructor(
    private readonly deps: SessionFrameDeps,
    limits: Partial<SessionFrameLimits> = {},
  ) {
    this.limits = { ...DEFAULT_SESSION_FRAME_LIMITS, ...limits };
    this.clock = deps.clock ?? (() => new Date());
  }

  /**
   * Appends `images` at index `offset` of the session's stream (the frames it holds so far: a request
   * lost or repeated cannot shift the burst) and answers once they are analysed, so a kiosk that sends
   * its next frames after the answer never runs ahead of the workers. Returns how many frames it holds,
   * and with `track`, how they answer the challenge (StreamProgress).
   */
  async append(
    sessionId: string,
    terminal: SessionTerminal,
    offset: number,
    images: readonly Uint8Array[],
    options: { readonly track?: boolean } = {},
  ): Promise<{ received: number; progress?: StreamProgress }> {
    if (images.length === 0 || images.some((image) => image.length === 0)) throw new InvalidArgument('empty frame in the stream');
    const stream = await this.streamFor(sessionId, terminal);
    if (offset !== stream.frames.length)
      throw new Conflict(`the session holds ${stream.frames.length} frames; these were sent at index ${offset}`, { received: stream.frames.length });
    const bytes = images.reduce((sum, image) => sum + image.length, 0);
    if (stream.frames.length + images.length > this.limits.maxFrames || stream.bytes + bytes > this.limits.maxBytesPerSession)
      throw new SessionFramesExceeded(`a liveness session takes at most ${this.limits.maxFrames} frames and ${this.limits.maxBytesPerSession} bytes`, {
        maxFrames: this.limits.maxFrames,
        maxBytes: this.limits.maxBytesPerSession,
      });
    if (this.bytesHeld + bytes > this.limits.maxBytesTotal) throw new Overloaded('too many streamed frames held: send the burst with the checkout');
    // One frame at a time per stream: a kiosk's stream takes one worker, not all of them, so the other
    // cores stay free for the rest of the service (and, where they share a machine, the kiosk's own tracking).
    const added = images.map((image) => {
      const analysis = stream.last.catch(() => undefined).then(() => this.deps.analyze(image));
      stream.last = analysis;
      return { image, analysis };
    });
    // A frame the workers cannot read fails the burst that names it, when the checkout awaits it; not here.
    for (const frame of added) frame.analysis.catch(() => undefined);
    stream.frames.push(...added);
    stream.bytes += bytes;
    this.bytesHeld += bytes;
    await Promise.allSettled(added.map((frame) => frame.analysis));
    const received = stream.frames.length;
    return options.track ? { received, progress: await this.progress(stream) } : { received };
  }

  /**
   * The kiosks' tracking on the server's analyses of the stream: frames the workers could not read, and
   * frames identical to an earlier one (the same camera picture twice, which a burst must not hold), are
   * left out, as the kiosk leaves them out of its own tracking. Pair fits are kept per pair of analyses
   * (pad/burst-geometry.ts), so each request costs the fits of its new frames, not the whole burst's.
   */
  private async progress(stream: SessionStream): Promise<StreamProgress> {
    const faces = await Promise.all(stream.frames.map((frame) => frame.analysis.then((a) => a.face, () => undefined)));
    const indices: number[] = [];
    const analyses: FaceAnalysis[] = [];
    faces.forEach((face, index) => {
      if (!face || analyses.some((seen) => sameMesh(seen, face))) return;
      indices.push(index);
      analyses.push(face);
    });
    if (analyses.length === 0) return { steps: stream.challenge.map((action) => ({ action, met: false })), burst: [], live: false };
    const tracked = trackBurst(analyses, stream.challenge, this.deps.burstLiveness ?? {});
    return {
      steps: tracked.verdict.steps.map((step) => ({ action: step.action, met: step.met })),
      burst: tracked.burst.map((i) => indices[i]!),
      live: tracked.live,
    };
  }

  /**
   * Takes the frames at `indices` (ascending, each once) for the checkout that answers the session,
   * and forgets the session's stream. Undefined when this node holds no stream of this terminal's for
   * it (another node's, expired, taken already): the session's redemption then says why, or the
   * checkout that has nothing to judge says so. Bad indices are refused before anything is taken.
   */
  take(sessionId: string, terminal: SessionTerminal, indices: readonly number[]): Promise<AnalysedBurstFrame[]> | undefined {
    const stream = this.streams.get(sessionId);
    if (!stream || !ownedBy(stream, terminal)) return undefined;
    if (stream.expiresAt <= this.clock().getTime()) {
      this.drop(sessionId);
      return undefined;
    }
    const ascending = indices.every((index, i) => Number.isInteger(index) && index >= 0 && (i === 0 || index > indices[i - 1]!));
    if (!ascending || indices.some((index) => index >= stream.frames.length))
      throw new InvalidArgument(`"sessionFrames" are ascending indices below ${stream.frames.length}, the frames streamed to the session`);
    this.drop(sessionId);
    return Promise.all(indices.map(async (index) => ({ image: stream.frames[index]!.image, analysis: await stream.frames[index]!.analysis })));
  }

  /** Bytes of frames held over all sessions (for tests and metrics). */
  get heldBytes(): number {
    return this.bytesHeld;
  }

  /** Forgets the streams of expired sessions; returns how many. */
  purgeExpired(now: Date = this.clock()): number {
    let purged = 0;
    for (const [sessionId, stream] of this.streams)
      if (stream.expiresAt <= now.getTime()) {
        this.drop(sessionId);
        purged += 1;
      }
    return purged;
  }

  /** The session's stream, opened on its first frames once the sessions confirm this terminal may still answer it. */
  private async streamFor(sessionId: string, terminal: SessionTerminal): Promise<SessionStream> {
    let stream = this.streams.get(sessionId);
    if (!stream) {
      const inspected = await this.deps.sessions.inspect(sessionId, terminal, 'checkout');
      if (!inspected.ok) throw refused(inspected.reason);
      // Streams of sessions abandoned before their checkout go when the next stream opens: no timer to stop.
      this.purgeExpired();
      stream = this.streams.get(sessionId) ?? {
        tenantId: terminal.tenantId,
        terminalId: terminal.id,
        expiresAt: Date.parse(inspected.expiresAt),
        challenge: inspected.challenge,
        frames: [],
        bytes: 0,
        last: Promise.resolve(),
      };
      this.streams.set(sessionId, stream);
    }
    // Another terminal's stream is "unknown" to this one, as its session is.
    if (!ownedBy(stream, terminal)) throw refused('liveness_session_unknown');
    if (stream.expiresAt <= this.clock().getTime()) {
      this.drop(sessionId);
      throw refused('liveness_session_expired');
    }
    return stream;
  }

  private drop(sessionId: string): void {
    const stream = this.streams.get(sessionId);
    if (!stream) return;
    this.streams.delete(sessionId);
    this.bytesHeld -= stream.bytes;
  }
}

/** The same picture analysed twice: every mesh point identical (pair geometry calls it `identical`). */
function sameMesh(a: FaceAnalysis, b: FaceAnalysis): boolean {
  return a.mesh.length === b.mesh.length && a.mesh.every((p, i) => p.x === b.mesh[i]!.x && p.y === b.mesh[i]!.y);
}

function ownedBy(stream: SessionStream, terminal: SessionTerminal): boolean {
  return stream.tenantId === terminal.tenantId && stream.terminalId === terminal.id;
}

function refused(reason: string): LivenessSessionRefused {
  return new LivenessSessionRefused(`frames cannot be streamed to this liveness session: ${reason}`, { reason });
}
