/**
 * The camera step both kiosks share: live guidance over the video (when the face engine runs here),
 * then a signed liveness session whose challenge the kiosk FOLLOWS at the shopper's pace, ticking each
 * step off as it is performed and stopping as soon as the frames answer the whole challenge (or after
 * 10 s, when it sends what it saw and lets the server judge):
 *  - checkout (`streamFrames`): each frame is streamed to the session as it is grabbed and the SERVER
 *    follows the shopper on its own analyses and says when the frames pass and which to name
 *    (server-tracking.ts); if the stream fails, the browser takes over from the frames grabbed;
 *  - enrollment: the BROWSER analyses each frame and runs the same tracking (browser-tracking.ts),
 *    streaming its analyses (landmarks, no image) to the session as it goes (`streamEvidence`);
 *  - without an engine or a stream (upload mode): the old timed burst while the prompts show.
 * Hands back the session and the frames to send; what is sent (JPEGs, names or templates) is the caller's.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { BrowserFace, FaceEnginePort } from '../../shared/face-engine-port';
import type { KioskIdentity } from '../../shared/kiosk-identity';
import { signedFetch } from '../../shared/signed-fetch';
import { readJson, errorText } from '../../shared/api';
import { captureBurst, startCamera, stopCamera } from '../../shared/camera';
import { challengeKey } from '../../shared/reasons';
import { t } from '../../shared/i18n';
import { ErrorNote, StepHeading } from '../../shared/ui';
import { FrameStreamer } from './frame-streamer';
import { traceMark, traceReset } from '../../shared/trace';
import { FOLLOW_THROUGH_FRAMES, selectFramesToSend, TRACK_TIMEOUT_MS } from './challenge-tracking';
import { followInBrowser, type StepProgress } from './browser-tracking';
import { followOnServer } from './server-tracking';
import { FaceFrame, type FramedFaces } from './face-frame';
import { trackEvidenceOf, type TrackEvidence } from '../../../src/pad/track-evidence.js';

export interface LivenessSession {
  readonly sessionId: string;
  readonly challenge: readonly string[];
  readonly expiresAt: string;
}

export interface CapturedBurst {
  readonly session: LivenessSession;
  /** The frames to send, in capture order (at most 8). */
  readonly frames: readonly HTMLCanvasElement[];
  /** The engine's face in each of `frames` (tracked captures only): enrollment sends these, no image. */
  readonly faces?: readonly BrowserFace[];
  /** Where `frames`' landmarks went through their pixels, followed while the shopper moved (`followPixels` captures). */
  readonly tracks?: TrackEvidence;
  /** performance.now() when the shopper was asked to look at the camera. */
  readonly startedAt: number;
  /** performance.now() when the signed liveness session was issued (the prompts appear). */
  readonly issuedAt: number;
  /** performance.now() when the last frame was captured. */
  readonly lastFrameAt: number;
  /** Session issued → the tracking accepted the frames (the server's, or the browser's when it followed). */
  readonly performedMs?: number;
  /** Whether the capture followed the shopper (else a timed burst). */
  readonly tracked: boolean;
  /** Whether the browser saw every step met (guidance only: the server re-judges). */
  readonly metInBrowser: boolean;
  /**
   * The frames streamed to the session (checkout: JPEGs; enrollment: the engine's analyses of them),
   * and which of them are the burst (indices in the stream, the same frames as `frames`): the request
   * names them instead of carrying them, once `finish` says the stream holds them all.
   */
  readonly streamed?: { readonly streamer: Pick<FrameStreamer<unknown>, 'finish'>; readonly indices: readonly number[] };
}

export const BURST_FRAMES = 8;
/** An early session is used only with this much of its life left: the tracking's timeout and the answer. */
const SESSION_TIME_NEEDED_MS = TRACK_TIMEOUT_MS + 10_000;
/** Per challenge step; the burst spans all steps so each prompt is on screen while it is recorded. */
export const STEP_MS = 900;

export function startLivenessSession(identity: KioskIdentity): Promise<LivenessSession> {
  return signedFetch('/v1/liveness-sessions', identity, { json: {} }).then((r) => readJson<LivenessSession>(r));
}

/**
 * Until the browser has painted what was just rendered (the prompt): the tracking that follows keeps
 * this thread busy, and a prompt the shopper cannot see yet is time lost. Bounded, for a page the
 * browser does not paint (hidden).
 */
const nextPaint = () =>
  new Promise<void>((resolve) => {
    requestAnimationFrame(() => setTimeout(resolve, 0));
    setTimeout(resolve, 50);
  });

export function LivenessCapture({
  identity,
  engine,
  heading,
  onCaptured,
  followThrough = FOLLOW_THROUGH_FRAMES,
  encodeAhead = false,
  streamFrames = false,
  streamEvidence = false,
  followPixels = false,
  spareTime,
}: {
  identity: KioskIdentity;
  engine: FaceEnginePort | undefined;
  heading: string;
  onCaptured: (burst: CapturedBurst) => void;
  /**
   * Frames recorded after the browser saw the last step met, when the browser follows and the server
   * will re-analyse JPEGs (a checkout whose stream failed: FOLLOW_THROUGH_FRAMES); enrollment's server
   * judges the browser's own analyses, so 0. A streamed checkout needs none: the server says.
   */
  followThrough?: number;
  /** Encode each frame to JPEG as it is grabbed (checkout sends JPEGs), so sending does not wait for it. */
  encodeAhead?: boolean;
  /**
   * Stream each frame to the session as it is grabbed and let the server follow the shopper (checkout:
   * the server analyses them during the movement); enrollment sends the browser's own analyses instead.
   */
  streamFrames?: boolean;
  /**
   * Stream the browser's analysis of each kept frame to the session as the shopper moves (enrollment:
   * the server judges them, and keeps the fits it made, while the shopper still moves).
   */
  streamEvidence?: boolean;
  /**
   * Follow the kept frames' pixels while the shopper moves and judge with those tracks (enrollment:
   * they go with the analyses, and the server judges them so), so they are made when the capture ends.
   */
  followPixels?: boolean;
  /** Work for the capture's spare time (browser-tracking.ts): enrollment makes its template ahead. */
  spareTime?: (frames: readonly HTMLCanvasElement[], faces: readonly BrowserFace[]) => Promise<void>;
}) {
  const video = useRef<HTMLVideoElement>(null);
  const stream = useRef<MediaStream | undefined>(undefined);
  const [ready, setReady] = useState(false);
  const [guidance, setGuidance] = useState<string>(t('guidance.starting'));
  const [framed, setFramed] = useState<FramedFaces>();
  const [prompt, setPrompt] = useState<string>();
  const [steps, setSteps] = useState<readonly StepProgress[]>();
  const [capturing, setCapturing] = useState(false);
  const [error, setError] = useState<string>();
  // A session asked for as soon as the camera runs, so "look at the camera" shows the challenge at once.
  const pendingSession = useRef<Promise<LivenessSession> | undefined>(undefined);

  useEffect(() => {
    let stopped = false;
    startCamera(video.current!)
      .then((s) => {
        stream.current = s;
        if (stopped) stopCamera(s);
        else setReady(true);
      })
      .catch(() => setError(t('camera.unavailable')));
    return () => {
      stopped = true;
      stopCamera(stream.current);
    };
  }, []);

  // The engine may arrive after the camera (it loads in the background): the guidance says which mode this is.
  useEffect(() => {
    if (ready) setGuidance(t(engine ? 'guidance.lookAtCamera' : 'guidance.noEngine'));
  }, [ready, engine]);

  useEffect(() => {
    if (ready && !capturing && !pendingSession.current) {
      const asked = startLivenessSession(identity);
      asked.catch(() => undefined); // a failed early ask is asked again when the shopper starts
      pendingSession.current = asked;
    }
  }, [ready, capturing, identity]);

  /** The early session while it has time left to be performed, else a new one; each is used once. */
  const takeSession = async (): Promise<LivenessSession> => {
    const early = pendingSession.current;
    pendingSession.current = undefined;
    const session = early ? await early.catch(() => undefined) : undefined;
    const timeLeftMs = session ? Date.parse(session.expiresAt) - Date.now() : 0;
    return session && timeLeftMs > SESSION_TIME_NEEDED_MS ? session : startLivenessSession(identity);
  };

  // Live guidance: a few analyses a second are enough for a person to follow, and leave the CPU to the video.
  useEffect(() => {
    if (!engine || !ready || capturing) return;
    let cancelled = false;
    const tick = async () => {
      if (cancelled || !video.current) return;
      try {
        const faces = await engine.analyze(video.current);
        const reasons = faces.length === 0 ? ['no_face'] : faces.length > 1 ? ['multiple_faces'] : engine.guidance(faces[0]!, video.current);
        if (!cancelled) {
          setGuidance(reasons.length === 0 ? t('guidance.good') : t(`guidance.${reasons[0]}`));
          setFramed(faces[0] ? { width: faces[0].width, height: faces[0].height, boxes: faces.map((face) => face.box), good: reasons.length === 0 } : undefined);
        }
      } catch {
        // A dropped frame is not worth telling the shopper about.
      }
      if (!cancelled) setTimeout(tick, 300);
    };
    void tick();
    return () => {
      cancelled = true;
    };
  }, [engine, ready, capturing]);

  const showProgress = (progress: readonly StepProgress[]) => {
    setSteps(progress);
    const next = progress.find((s) => !s.done);
    setPrompt(next ? t(challengeKey(next.action)) : t('challenge.done'));
  };

  const capture = async () => {
    traceReset();
    traceMark('capture:pressed');
    const startedAt = performance.now();
    setCapturing(true);
    setError(undefined);
    try {
      const session = await takeSession();
      // From here the prompts are on screen: the shopper's performance is timed from this moment.
      const issuedAt = performance.now();
      traceMark('capture:issued', { steps: session.challenge.length });
      if (streamFrames || engine) {
        showProgress(session.challenge.map((action) => ({ action, done: false })));
        await nextPaint();
        const deadline = performance.now() + TRACK_TIMEOUT_MS;
        // Checkout: the server follows the shopper on the frames streamed to it, and says when to stop.
        const onServer = streamFrames
          ? await followOnServer(video.current!, identity, session.sessionId, (steps) => showProgress(steps.map((s) => ({ action: s.action, done: s.met }))), deadline)
          : undefined;
        if (onServer && !onServer.streamFailed) {
          // Live: the frames the server picked. Timed out: the frames it would judge now, or the last ones if it never answered.
          const burst = onServer.progress?.burst.length ? onServer.progress.burst : selectFramesToSend(onServer.frames.length, []);
          console.info(`facekey: challenge ${session.challenge.join(',')} ${onServer.metAt !== undefined ? 'met' : 'not met'} on the server's analyses of ${onServer.frames.length} streamed frames; naming ${burst.length}; ms: session ${Math.round(issuedAt - startedAt)}, performed ${onServer.metAt !== undefined ? Math.round(onServer.metAt - issuedAt) : '-'}`);
          onCaptured({
            session,
            frames: burst.map((i) => onServer.frames[i]!),
            startedAt,
            issuedAt,
            lastFrameAt: onServer.lastFrameAt,
            ...(onServer.metAt !== undefined ? { performedMs: Math.round(onServer.metAt - issuedAt) } : {}),
            tracked: true,
            metInBrowser: false,
            streamed: { streamer: onServer.streamer, indices: burst },
          });
          return;
        }
        if (!engine) {
          // The stream failed and this device has no engine to follow the shopper: the frames so far, sent whole.
          const frames = onServer?.frames ?? [];
          const burst = selectFramesToSend(frames.length, []).map((i) => frames[i]!);
          onCaptured({ session, frames: burst, startedAt, issuedAt, lastFrameAt: onServer?.lastFrameAt ?? performance.now(), tracked: false, metInBrowser: false });
          return;
        }
        // The browser follows the shopper (enrollment; a checkout whose stream failed, from the frames it grabbed).
        // Enrollment: each kept frame's analysis goes to the session as the shopper moves, so the server's judgement is made by the time it is asked.
        const evidence = streamEvidence ? FrameStreamer.evidence(identity, session.sessionId, { track: true }) : undefined;
        const seen = await followInBrowser(video.current!, engine, session.challenge, showProgress, {
          followThrough,
          encodeAhead,
          deadline,
          ...(onServer ? { backlog: onServer.frames } : {}),
          ...(evidence ? { onFrame: (_frame: HTMLCanvasElement, face: BrowserFace) => evidence.push(face) } : {}),
          followPixels,
          ...(spareTime ? { spareTime } : {}),
        });
        // For the operator's console (and the browser suites): what the kiosk saw, before the server judges.
        console.info(`facekey: challenge ${session.challenge.join(',')} ${seen.met ? 'met' : 'not met'} in the browser; ${seen.frames.length} frames kept, sending ${seen.burst.length}; ms: session ${Math.round(issuedAt - startedAt)}, performed ${seen.metAt !== undefined ? Math.round(seen.metAt - issuedAt) : '-'}, follow-through ${seen.metAt !== undefined ? Math.max(0, Math.round(seen.lastFrameAt - seen.metAt)) : '-'}`);
        onCaptured({
          session,
          frames: seen.burst.map((i) => seen.frames[i]!),
          faces: seen.burst.map((i) => seen.faces[i]!),
          ...(seen.tracks ? { tracks: trackEvidenceOf(seen.tracks) } : {}),
          startedAt,
          issuedAt,
          lastFrameAt: seen.lastFrameAt,
          ...(seen.metAt !== undefined ? { performedMs: Math.round(seen.metAt - issuedAt) } : {}),
          tracked: true,
          metInBrowser: seen.met,
          ...(evidence ? { streamed: { streamer: evidence, indices: seen.burst } } : {}),
        });
      } else {
        const count = session.challenge.length;
        const frames = await captureBurst(video.current!, BURST_FRAMES, Math.max(1500, count * STEP_MS), (i) => {
          const step = Math.min(count - 1, Math.floor((i * count) / BURST_FRAMES));
          setPrompt(t(challengeKey(session.challenge[step] ?? 'hold_still')));
        });
        onCaptured({ session, frames, startedAt, issuedAt, lastFrameAt: performance.now(), tracked: false, metInBrowser: false });
      }
    } catch (e) {
      setError(errorText(e));
    } finally {
      setPrompt(undefined);
      setSteps(undefined);
      setCapturing(false);
    }
  };

  return (
    <section data-testid="step-camera" data-engine={engine ? 'ready' : 'none'} data-capturing={capturing ? 'true' : 'false'}>
      <StepHeading>{heading}</StepHeading>
      <div class="camera">
        <video ref={video} aria-label={t('camera.preview')} muted playsInline data-testid="camera-video" />
        {capturing ? null : <FaceFrame framed={framed} />}
        <div class="overlay" role="status" aria-live="polite" data-testid="guidance">
          {prompt ? <span class="prompt" data-testid="challenge-prompt">{prompt}</span> : guidance}
        </div>
      </div>
      {steps ? (
        <ol class="challenge-steps" aria-label={t('challenge.progress')} data-testid="challenge-steps">
          {steps.map((s, i) => (
            <li key={i} data-step={s.action} data-done={s.done ? 'true' : 'false'} class={s.done ? 'done' : ''}>
              <span aria-hidden="true">{s.done ? '✓' : '○'}</span> {t(challengeKey(s.action))}
              <span class="visually-hidden">{s.done ? ` — ${t('challenge.stepDone')}` : ''}</span>
            </li>
          ))}
        </ol>
      ) : null}
      <div class="actions">
        <button type="button" onClick={() => void capture()} disabled={!ready || capturing} data-testid="capture-start">
          {capturing ? t('camera.capturing') : t('camera.start')}
        </button>
      </div>
      <ErrorNote message={error} />
    </section>
  );
}
