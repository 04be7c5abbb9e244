/**
 * The camera step both kiosks share: live guidance over the video (when the face engine runs
 * here), then a signed liveness session whose challenge prompts are shown while the burst is
 * recorded. Hands back the session and the frames; what is sent (JPEGs or templates) is the caller's.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { FaceEnginePort } from '../../shared/face-engine-port';
import type { KioskIdentity } from '../../shared/kiosk-identity';
import { signedFetch } from '../../shared/signed-fetch';
import { readJson, errorText } from '../../shared/api';
import { captureBurst, startCamera, stopCamera } from '../../shared/camera';
import { challengeKey } from '../../shared/reasons';
import { t } from '../../shared/i18n';
import { ErrorNote, StepHeading } from '../../shared/ui';

export interface LivenessSession {
  readonly sessionId: string;
  readonly challenge: readonly string[];
  readonly expiresAt: string;
}

export interface CapturedBurst {
  readonly session: LivenessSession;
  readonly frames: readonly HTMLCanvasElement[];
  /** performance.now() when the shopper was asked to look at the camera. */
  readonly startedAt: number;
}

export const BURST_FRAMES = 8;
/** Per challenge step; the burst spans all steps so each prompt is on screen while it is recorded. */
export const STEP_MS = 900;

export function startLivenessSession(identity: KioskIdentity): Promise<LivenessSession> {
  return signedFetch('/v1/liveness-sessions', identity, { json: {} }).then((r) => readJson<LivenessSession>(r));
}

export function LivenessCapture({
  identity,
  engine,
  heading,
  onCaptured,
}: {
  identity: KioskIdentity;
  engine: FaceEnginePort | undefined;
  heading: string;
  onCaptured: (burst: CapturedBurst) => void;
}) {
  const video = useRef<HTMLVideoElement>(null);
  const stream = useRef<MediaStream | undefined>(undefined);
  const [ready, setReady] = useState(false);
  const [guidance, setGuidance] = useState<string>(t('guidance.starting'));
  const [prompt, setPrompt] = useState<string>();
  const [capturing, setCapturing] = useState(false);
  const [error, setError] = useState<string>();

  useEffect(() => {
    let stopped = false;
    startCamera(video.current!)
      .then((s) => {
        stream.current = s;
        if (stopped) stopCamera(s);
        else {
          setReady(true);
          setGuidance(t(engine ? 'guidance.lookAtCamera' : 'guidance.noEngine'));
        }
      })
      .catch(() => setError(t('camera.unavailable')));
    return () => {
      stopped = true;
      stopCamera(stream.current);
    };
  }, []);

  // Live guidance: a few analyses a second are enough for a person to follow, and leave the CPU to the video.
  useEffect(() => {
    if (!engine || !ready || capturing) return;
    let cancelled = false;
    const tick = async () => {
      if (cancelled || !video.current) return;
      try {
        const faces = await engine.analyze(video.current);
        const reasons = faces.length === 0 ? ['no_face'] : faces.length > 1 ? ['multiple_faces'] : engine.guidance(faces[0]!, video.current);
        if (!cancelled) setGuidance(reasons.length === 0 ? t('guidance.good') : t(`guidance.${reasons[0]}`));
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

  const capture = async () => {
    const startedAt = performance.now();
    setCapturing(true);
    setError(undefined);
    try {
      const session = await startLivenessSession(identity);
      const steps = session.challenge.length;
      const frames = await captureBurst(video.current!, BURST_FRAMES, Math.max(1500, steps * STEP_MS), (i) => {
        const step = Math.min(steps - 1, Math.floor((i * steps) / BURST_FRAMES));
        setPrompt(t(challengeKey(session.challenge[step] ?? 'hold_still')));
      });
      setPrompt(undefined);
      onCaptured({ session, frames, startedAt });
    } catch (e) {
      setError(errorText(e));
    } finally {
      setCapturing(false);
    }
  };

  return (
    <section data-testid="step-camera">
      <StepHeading>{heading}</StepHeading>
      <div class="camera">
        <video ref={video} aria-label={t('camera.preview')} muted playsInline data-testid="camera-video" />
        <div class="overlay" role="status" aria-live="polite" data-testid="guidance">
          {prompt ? <span class="prompt" data-testid="challenge-prompt">{prompt}</span> : guidance}
        </div>
      </div>
      <div class="actions">
        <button type="button" onClick={() => void capture()} disabled={!ready || capturing} data-testid="capture-start">
          {capturing ? t('camera.capturing') : t('camera.start')}
        </button>
      </div>
      <ErrorNote message={error} />
    </section>
  );
}
