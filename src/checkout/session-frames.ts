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
 * tracking (kiosk/challenge-tracking.ts: the challenge evaluation) on ITS analyses of the frames
 * streamed so far and, once every step is met, the checkout's own judgement of the frames it would
 * name (the workers', liveness read through the frames' pixels), and answers which steps are met,
 * which frames it would judge, and whether they pass. The kiosk stops capturing the moment they do and its
 * checkout names exactly those frames, which the checkout then judges in full again. No follow-through
 * frames "in case the server sees it differently": it is the server that says.
 *
 * An enrollment kiosk streams its own analyses instead (POST /v1/liveness-sessions/:id/evidence:
 * landmarks, never an image; it makes the template itself), and its enrollment names them the same
 * way: the server's judgement of them then finds its pair fits made during the movement (they are kept
 * per pair of analyses, pad/burst-geometry.ts) instead of making all of them after it. A stream holds
 * one kind: a checkout's session streams images, an enrollment's evidence.
 */
import { Conflict, InvalidArgument, LivenessSessionRefused, Overloaded, SessionFramesExceeded } from '../errors/domain-errors.js';
import type { Inspection, SessionPurpose, SessionTerminal } from '../devices/liveness-sessions.js';
import type { AnalysedBurstFrame, AnalysedFrame } from '../pipeline/face-pipeline.js';
import type { FaceAnalysis } from '../analysis/face-analysis.js';
import type { BurstLivenessPolicy } from '../pad/burst-liveness.js';
import type { BurstTracks } from '../pad/burst-tracks.js';
import type { ChallengeAction } from '../pad/challenge-evaluation.js';
import { prepareJudgement, sameBurst, trackBurst } from '../kiosk/challenge-tracking.js';
import { identicalMeshes } from '../pad/burst-geometry.js';

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
  /**
   * The checkout's own judgement of streamed frames (the worker pool's, liveness read through the
   * frames' pixels: BiometricService.judgeAnalysedBurst), for a checkout stream's progress once its
   * steps are met. Without it the progress judges the analyses alone, as an enrollment's evidence is.
   */
  readonly judge?: (frames: readonly AnalysedBurstFrame[], challenge: readonly ChallengeAction[]) => Promise<{ live: boolean; tracks?: BurstTracks }>;
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

/** A checkout's frame (a JPEG and the workers' analysis of it), or an enrollment kiosk's own analysis of one. */
type StreamedFrame =
  | { readonly kind: 'image'; readonly image: Uint8Array; readonly analysis: Promise<AnalysedFrame> }
  | { readonly kind: 'evidence'; readonly face: FaceAnalysis };

interface SessionStream {
  readonly tenantId: string;
  readonly terminalId: string;
  /** Checkout: JPEGs analysed here; enrollment: the kiosk's analyses (landmarks, never an image). */
  readonly purpose: SessionPurpose;
  readonly expiresAt: number;
  readonly challenge: readonly ChallengeAction[];
  readonly frames: StreamedFrame[];
  bytes: number;
  /** The analysis of the last frame appended: the next one starts after it. */
  last: Promise<unknown>;
  /**
   * The latest burst the checkout's judgement found live, and the tracks it followed through those
   * frames' pixels: a checkout naming exactly these frames is judged on them instead of following the
   * same pixels again (it still judges the whole burst, and embeds its best frame).
   */
  judged?: { readonly burst: readonly number[]; readonly tracks: BurstTracks };
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
    const stream = await this.streamFor(sessionId, terminal, 'checkout');
    const bytes = images.reduce((sum, image) => sum + image.length, 0);
    this.admit(stream, offset, images.length, bytes);
    // One frame at a time per stream: a kiosk's stream takes one worker, not all of them, so the other
    // cores stay free for the rest of the service (and, where they share a machine, the kiosk's own tracking).
    const added = images.map((image) => {
      const analysis = stream.last.catch(() => undefined).then(() => this.deps.analyze(image));
      stream.last = analysis;
      return { kind: 'image' as const, image, analysis };
    });
    // A frame the workers cannot read fails the burst that names it, when the checkout awaits it; not here.
    for (const frame of added) frame.analysis.catch(() => undefined);
    this.hold(stream, added, bytes);
    await Promise.allSettled(added.map((frame) => frame.analysis));
    const received = stream.frames.length;
    return options.track ? { received, progress: await this.progress(stream) } : { received };
  }

  /**
   * An enrollment kiosk's own analyses of the frames it follows (landmarks, never an image: the kiosk
   * makes the template itself), appended at `offset` of its enrollment session's stream while the
   * shopper performs; `bytes` is what they weighed in the request. With `track`, the answer says how
   * they answer the challenge: the same judgement the enrollment will make, so its pair fits are
   * already made (and kept) when the enrollment that names these frames arrives.
   */
  async appendEvidence(
    sessionId: string,
    terminal: SessionTerminal,
    offset: number,
    analyses: readonly FaceAnalysis[],
    bytes: number,
    options: { readonly track?: boolean } = {},
  ): Promise<{ received: number; progress?: StreamProgress }> {
    if (analyses.length === 0) throw new InvalidArgument('no frame in the stream request');
    const stream = await this.streamFor(sessionId, terminal, 'enrollment');
    this.admit(stream, offset, analyses.length, bytes);
    this.hold(stream, analyses.map((face) => ({ kind: 'evidence' as const, face })), bytes);
    const received = stream.frames.length;
    return options.track ? { received, progress: await this.progress(stream) } : { received };
  }

  /** Refuses frames sent at the wrong index (a lost or repeated request cannot shift the burst) or beyond the bounds. */
  private admit(stream: SessionStream, offset: number, count: number, bytes: number): void {
    if (offset !== stream.frames.length)
      throw new Conflict(`the session holds ${stream.frames.length} frames; these were sent at index ${offset}`, { received: stream.frames.length });
    if (stream.frames.length + count > this.limits.maxFrames || stream.bytes + bytes > this.limits.maxBytesPerSession)
      throw new SessionFramesExceeded(`a liveness session takes at most ${this.limits.maxFrames} frames and ${this.limits.maxBytesPerSession} bytes`, {
        maxFrames: this.limits.maxFrames,
        maxBytes: this.limits.maxBytesPerSession,
      });
    if (this.bytesHeld + bytes > this.limits.maxBytesTotal) throw new Overloaded('too many streamed frames held: send the burst whole');
  }

  private hold(stream: SessionStream, frames: readonly StreamedFrame[], bytes: number): void {
    stream.frames.push(...frames);
    stream.bytes += bytes;
    this.bytesHeld += bytes;
  }

  /**
   * The kiosks' tracking on the server's analyses of the stream: frames the workers could not read, and
   * frames identical to an earlier one (the same camera picture twice, which a burst must not hold), are
   * left out, as the kiosk leaves them out of its own tracking. Pair fits are kept per pair of analyses
   * (pad/burst-geometry.ts), so each request costs the fits of its new frames, not the whole burst's.
   */
  private async progress(stream: SessionStream): Promise<StreamProgress> {
    const faces = await Promise.all(
      stream.frames.map((frame) => (frame.kind === 'evidence' ? frame.face : frame.analysis.then((a) => a.face, () => undefined))),
    );
    const indices: number[] = [];
    const analyses: FaceAnalysis[] = [];
    faces.forEach((face, index) => {
      if (!face || analyses.some((seen) => identicalMeshes(seen.mesh, face.mesh))) return;
      indices.push(index);
      analyses.push(face);
    });
    if (analyses.length === 0) return { steps: stream.challenge.map((action) => ({ action, met: false })), burst: [], live: false };
    // A checkout's frames are judged as its checkout will judge them: by the workers, from their pixels.
    const judge = stream.purpose === 'checkout' ? this.deps.judge : undefined;
    const tracked = trackBurst(analyses, stream.challenge, this.deps.burstLiveness ?? {}, { judge: judge === undefined });
    // An enrollment's evidence is judged here, in this thread: the new frame's pair fits made now, each
    // request, leave the judgement once every step is met (and the enrollment's) one frame's fits.
    if (!judge && !tracked.verdict.met) prepareJudgement(analyses, tracked.start);
    const burst = tracked.burst.map((i) => indices[i]!);
    const live = tracked.live && (!judge || (await this.judged(stream, burst, judge)));
    return { steps: tracked.verdict.steps.map((step) => ({ action: step.action, met: step.met })), burst, live };
  }

  /** The checkout's judgement of the stream's frames at `burst` (a failure to judge is no pass). */
  private async judged(stream: SessionStream, burst: readonly number[], judge: NonNullable<SessionFrameDeps['judge']>): Promise<boolean> {
    const frames = await analysedFrames(burst.map((index) => stream.frames[index]!));
    return judge(frames, stream.challenge).then(
      (verdict) => {
        if (verdict.live && verdict.tracks) stream.judged = { burst: [...burst], tracks: verdict.tracks };
        return verdict.live;
      },
      () => false,
    );
  }

  /**
   * Takes the frames at `indices` (ascending, each once) for the checkout that answers the session,
   * and forgets the session's stream. Undefined when this node holds no stream of this terminal's for
   * it (another node's, expired, taken already): the session's redemption then says why, or the
   * checkout that has nothing to judge says so. Bad indices are refused before anything is taken.
   */
  take(sessionId: string, terminal: SessionTerminal, indices: readonly number[]): Promise<AnalysedBurstFrame[]> | undefined {
    return this.takeJudged(sessionId, terminal, indices)?.frames;
  }

  /**
   * `take`, with the tracks the stream's judgement followed through these very frames when it found
   * them live (the frames named are the burst it judged), for the checkout to judge them on.
   */
  takeJudged(
    sessionId: string,
    terminal: SessionTerminal,
    indices: readonly number[],
  ): { readonly frames: Promise<AnalysedBurstFrame[]>; readonly tracks?: BurstTracks } | undefined {
    const judged = this.streams.get(sessionId)?.judged;
    const frames = this.taken(sessionId, terminal, 'checkout', indices);
    if (!frames) return undefined;
    const analysed = analysedFrames(frames);
    return judged && sameBurst(judged.burst, indices) ? { frames: analysed, tracks: judged.tracks } : { frames: analysed };
  }

  /**
   * Takes the enrollment kiosk's analyses at `indices` for the enrollment that answers the session, as
   * `take` does for a checkout: undefined when this node holds no evidence stream of this kiosk's for it.
   */
  takeEvidence(sessionId: string, terminal: SessionTerminal, indices: readonly number[]): FaceAnalysis[] | undefined {
    return this.taken(sessionId, terminal, 'enrollment', indices)?.map((frame) => (frame.kind === 'evidence' ? frame.face : unreachable()));
  }

  private taken(sessionId: string, terminal: SessionTerminal, purpose: SessionPurpose, indices: readonly number[]): StreamedFrame[] | undefined {
    const stream = this.streams.get(sessionId);
    if (!stream || !ownedBy(stream, terminal) || stream.purpose !== purpose) return undefined;
    if (stream.expiresAt <= this.clock().getTime()) {
      this.drop(sessionId);
      return undefined;
    }
    const ascending = indices.every((index, i) => Number.isInteger(index) && index >= 0 && (i === 0 || index > indices[i - 1]!));
    if (!ascending || indices.some((index) => index >= stream.frames.length))
      throw new InvalidArgument(`"sessionFrames" are ascending indices below ${stream.frames.length}, the frames streamed to the session`);
    this.drop(sessionId);
    return indices.map((index) => stream.frames[index]!);
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
  private async streamFor(sessionId: string, terminal: SessionTerminal, purpose: SessionPurpose): Promise<SessionStream> {
    let stream = this.streams.get(sessionId);
    if (!stream) {
      const inspected = await this.deps.sessions.inspect(sessionId, terminal, purpose);
      if (!inspected.ok) throw refused(inspected.reason);
      // Streams of sessions abandoned before their checkout go when the next stream opens: no timer to stop.
      this.purgeExpired();
      stream = this.streams.get(sessionId) ?? {
        tenantId: terminal.tenantId,
        terminalId: terminal.id,
        purpose,
        expiresAt: Date.parse(inspected.expiresAt),
        challenge: inspected.challenge,
        frames: [],
        bytes: 0,
        last: Promise.resolve(),
      };
      this.streams.set(sessionId, stream);
    }
    // Another terminal's stream is "unknown" to this one, as its session is; so is one of the other kind.
    if (!ownedBy(stream, terminal) || stream.purpose !== purpose) throw refused('liveness_session_unknown');
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

/** A checkout's streamed frames with their analyses, once the workers have made them. */
function analysedFrames(frames: readonly StreamedFrame[]): Promise<AnalysedBurstFrame[]> {
  return Promise.all(frames.map(async (frame) => (frame.kind === 'image' ? { image: frame.image, analysis: await frame.analysis } : unreachable())));
}

function unreachable(): never {
  throw new Error('a stream holds frames of its own kind only');
}

function ownedBy(stream: SessionStream, terminal: SessionTerminal): boolean {
  return stream.tenantId === terminal.tenantId && stream.terminalId === terminal.id;
}

function refused(reason: string): LivenessSessionRefused {
  return new LivenessSessionRefused(`frames cannot be streamed to this liveness session: ${reason}`, { reason });
}
