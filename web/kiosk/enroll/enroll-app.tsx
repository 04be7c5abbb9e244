/**
 * The enrollment kiosk: pair → consent → camera with guidance and the liveness challenge →
 * template made here (or JPEGs in upload mode) → enrollment → card → optional PIN → receipt.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { ApiError, apiJson, errorText, readJson, type WebConfig } from '../../shared/api';
import { loadFaceEngine, type BrowserFace, type FaceEnginePort } from '../../shared/face-engine-port';
import { forgetIdentity, type KioskIdentity } from '../../shared/kiosk-identity';
import { signedFetch } from '../../shared/signed-fetch';
import { canvasToJpegBase64, fileToBase64 } from '../../shared/camera';
import { t } from '../../shared/i18n';
import { Busy, ErrorNote, Page, StepHeading, SubmitForm, downloadJson } from '../../shared/ui';
import { LivenessCapture, startLivenessSession, type CapturedBurst } from '../shared/liveness-capture';
import { Pairing, PairedBadge, usePairedIdentity } from '../shared/pairing';
import { TemplateAhead, templateEvidence, trackedEvidence, type ConsentChoice } from './enrollment';
import { CardLink } from './card-link';
import { useAction } from '../../shared/use-action';
import { traceMark } from '../../shared/trace';

interface ConsentText {
  readonly version: string;
  readonly jurisdictions: readonly string[];
  readonly text: string;
  readonly sha256: string;
}

export interface Enrollment {
  readonly subjectId: string;
  readonly externalRef: string;
  readonly consent: unknown;
  readonly privacyCode: string;
  readonly kept: readonly string[];
}

type Step =
  | { name: 'consent' }
  | { name: 'camera'; consent: ConsentChoice }
  | { name: 'sending'; consent: ConsentChoice }
  | { name: 'card'; enrollment: Enrollment; timing: EnrollTiming }
  | { name: 'pin'; enrollment: Enrollment; timing: EnrollTiming; last4?: string }
  | { name: 'receipt'; enrollment: Enrollment; timing: EnrollTiming; last4?: string; pinSet: boolean };

/** What the receipt reports (and the browser suites read from its data- attributes). */
interface EnrollTiming {
  /** "Look at the camera" pressed → enrollment answered. */
  readonly elapsedMs: number;
  /** Liveness session issued → the browser saw the last challenge step met (tracked captures). */
  readonly performedMs?: number;
  /** Last frame captured → enrollment answered (template making, signing and the server's work). */
  readonly answerMs?: number;
}

export function EnrollApp({ config }: { config: WebConfig | undefined }) {
  const { identity, loading, setIdentity } = usePairedIdentity('enroll');
  const [engine, setEngine] = useState<FaceEnginePort>();
  const [step, setStep] = useState<Step>({ name: 'consent' });
  const [error, setError] = useState<string>();
  // The template made while the shopper performs (one per kiosk page; it forgets an earlier capture's frames).
  const ahead = useMemo(() => (engine ? new TemplateAhead(engine) : undefined), [engine]);

  useEffect(() => {
    void loadFaceEngine(config?.modelsBase ?? '/models').then(setEngine);
  }, []);

  const forget = async () => {
    await forgetIdentity('enroll');
    setIdentity(undefined);
  };

  const submit = async (
    consent: ConsentChoice,
    evidence: Record<string, unknown>,
    times: { startedAt: number; lastFrameAt?: number; performedMs?: number },
    kiosk: KioskIdentity,
    /** Sent instead when the evidence named in the session is not on the node that answers. */
    whole?: Record<string, unknown>,
  ) => {
    setStep({ name: 'sending', consent });
    setError(undefined);
    const send = async (body: Record<string, unknown>) => {
      const count = (['sessionFrames', 'frames', 'images'] as const).map((key) => body[key]).find(Array.isArray)?.length ?? 0;
      traceMark('answer:sent', { frames: count, streamed: 'sessionFrames' in body });
      return readJson<Enrollment>(await signedFetch('/v1/kiosk/enrollments', kiosk, { json: { consent, ...body } }));
    };
    try {
      const enrollment = await send(evidence).catch((e: unknown) => {
        if (whole && e instanceof ApiError && e.problem.reason === 'liveness_session_not_streamed') return send(whole);
        throw e;
      });
      const answeredAt = performance.now();
      traceMark('answer:received', { ok: true });
      const timing: EnrollTiming = {
        elapsedMs: Math.round(answeredAt - times.startedAt),
        ...(times.performedMs !== undefined ? { performedMs: times.performedMs } : {}),
        ...(times.lastFrameAt !== undefined ? { answerMs: Math.round(answeredAt - times.lastFrameAt) } : {}),
      };
      setStep({ name: 'card', enrollment, timing });
    } catch (e) {
      setError(errorText(e));
      setStep({ name: 'camera', consent });
    }
  };

  const onCaptured = async (consent: ConsentChoice, burst: CapturedBurst, kiosk: KioskIdentity) => {
    setStep({ name: 'sending', consent });
    const fromEngine = !engine
      ? undefined
      : burst.faces
        ? await trackedEvidence(engine, burst.frames, burst.faces, burst.tracks, ahead).catch(() => undefined)
        : await templateEvidence(engine, burst.frames).catch(() => undefined);
    traceMark('answer:template', { made: fromEngine !== undefined });
    const livenessSessionId = burst.session.sessionId;
    const times = { startedAt: burst.startedAt, lastFrameAt: burst.lastFrameAt, ...(burst.performedMs !== undefined ? { performedMs: burst.performedMs } : {}) };
    if (!fromEngine) {
      await submit(consent, { livenessSessionId, images: await Promise.all(burst.frames.map((f) => canvasToJpegBase64(f))) }, times, kiosk);
      return;
    }
    // The kiosk's tracks of its own frames' pixels go with the frames, named or whole.
    const tracks = fromEngine.tracks ? { tracks: fromEngine.tracks } : {};
    const whole = { livenessSessionId, template: fromEngine.template, frames: fromEngine.frames, ...tracks };
    // The analyses went to the session while the shopper moved: name them. A stream that failed, or that
    // another node holds (refused before the session is spent), falls back to the evidence sent whole.
    const streamed = burst.streamed && (await burst.streamed.streamer.finish()) ? burst.streamed.indices : undefined;
    await submit(consent, streamed ? { livenessSessionId, template: fromEngine.template, sessionFrames: streamed, ...tracks } : whole, times, kiosk, whole);
  };

  const onUpload = async (consent: ConsentChoice, files: readonly File[], kiosk: KioskIdentity) => {
    const startedAt = performance.now();
    try {
      const session = await startLivenessSession(kiosk);
      await submit(consent, { livenessSessionId: session.sessionId, images: await Promise.all(files.map(fileToBase64)) }, { startedAt }, kiosk);
    } catch (e) {
      setError(errorText(e));
    }
  };

  return (
    <Page title={t('enroll.title')} aside={identity ? <PairedBadge identity={identity} onForget={() => void forget()} /> : null}>
      {loading ? (
        <Busy label={t('common.loading')} />
      ) : !identity ? (
        <Pairing role="enroll" onPaired={setIdentity} />
      ) : step.name === 'consent' ? (
        <ConsentStep onAgreed={(consent) => setStep({ name: 'camera', consent })} />
      ) : step.name === 'camera' ? (
        <>
          <LivenessCapture
            identity={identity}
            engine={engine}
            heading={t('enroll.cameraHeading')}
            // The server judges the browser's own analyses of these frames: nothing to settle after the last step.
            followThrough={0}
            streamEvidence
            followPixels
            {...(ahead ? { spareTime: (frames: readonly HTMLCanvasElement[], faces: readonly BrowserFace[]) => ahead.prepare(frames, faces) } : {})}
            onCaptured={(burst) => void onCaptured(step.consent, burst, identity)}
          />
          <ErrorNote message={error} />
          <UploadPhotos onFiles={(files) => void onUpload(step.consent, files, identity)} />
        </>
      ) : step.name === 'sending' ? (
        <Busy label={t('enroll.sending')} />
      ) : step.name === 'card' ? (
        <CardLink
          networkUrl={config?.networkUrl}
          identity={identity}
          enrollment={step.enrollment}
          onDone={(last4) => setStep({ name: 'pin', enrollment: step.enrollment, timing: step.timing, ...(last4 ? { last4 } : {}) })}
        />
      ) : step.name === 'pin' ? (
        <PinStep identity={identity} enrollment={step.enrollment} onDone={(pinSet) => setStep({ ...step, name: 'receipt', pinSet })} />
      ) : (
        <Receipt step={step} onNext={() => setStep({ name: 'consent' })} />
      )}
      {config ? null : <p class="note note-warn">{t('common.configMissing')}</p>}
    </Page>
  );
}

function ConsentStep({ onAgreed }: { onAgreed: (consent: ConsentChoice) => void }) {
  const [texts, setTexts] = useState<readonly ConsentText[]>();
  const [jurisdiction, setJurisdiction] = useState('EU');
  const [payment, setPayment] = useState(false);
  const [personalization, setPersonalization] = useState(false);
  const [error, setError] = useState<string>();

  useEffect(() => {
    apiJson<{ items: ConsentText[] }>('/v1/consent-texts')
      .then((r) => setTexts(r.items))
      .catch((e) => setError(errorText(e)));
  }, []);

  const jurisdictions = [...new Set((texts ?? []).flatMap((x) => x.jurisdictions))];
  const text = texts?.find((x) => x.jurisdictions.includes(jurisdiction));
  const purposes = [...(payment ? ['payment'] : []), ...(personalization ? ['personalization'] : [])];

  return (
    <section data-testid="step-consent">
      <StepHeading>{t('consent.heading')}</StepHeading>
      {!texts ? <Busy label={t('common.loading')} /> : null}
      <div class="field">
        <label for="jurisdiction">{t('consent.jurisdiction')}</label>
        <select id="jurisdiction" value={jurisdiction} onChange={(e) => setJurisdiction(e.currentTarget.value)} data-testid="consent-jurisdiction">
          {jurisdictions.map((j) => (
            <option value={j} key={j}>
              {t(`jurisdiction.${j}`)}
            </option>
          ))}
        </select>
      </div>
      {text ? (
        <div class="panel">
          <h3>{t('consent.textHeading', { version: text.version })}</h3>
          <p class="consent-text" data-testid="consent-text" lang="en">
            {text.text}
          </p>
        </div>
      ) : null}
      <fieldset>
        <legend>{t('consent.purposes')}</legend>
        <p class="hint">{t('consent.purposesHint')}</p>
        <div class="check">
          <input type="checkbox" id="purpose-payment" checked={payment} onChange={(e) => setPayment(e.currentTarget.checked)} data-testid="consent-payment" />
          <label for="purpose-payment">{t('consent.payment')}</label>
        </div>
        <div class="check">
          <input
            type="checkbox"
            id="purpose-personalization"
            checked={personalization}
            onChange={(e) => setPersonalization(e.currentTarget.checked)}
            data-testid="consent-personalization"
          />
          <label for="purpose-personalization">{t('consent.personalization')}</label>
        </div>
      </fieldset>
      <div class="actions">
        <button
          type="button"
          disabled={!text || purposes.length === 0}
          onClick={() => text && onAgreed({ textVersion: text.version, purposes, jurisdiction })}
          data-testid="consent-agree"
        >
          {t('consent.agree')}
        </button>
      </div>
      <ErrorNote message={error} />
    </section>
  );
}

function UploadPhotos({ onFiles }: { onFiles: (files: readonly File[]) => void }) {
  const [files, setFiles] = useState<File[]>([]);
  return (
    <details class="panel" data-testid="upload-mode">
      <summary>{t('upload.summary')}</summary>
      <p class="hint" id="upload-hint">
        {t('upload.hint')}
      </p>
      <label for="upload-files">{t('upload.label')}</label>{' '}
      <input
        id="upload-files"
        type="file"
        accept="image/jpeg"
        multiple
        aria-describedby="upload-hint"
        onChange={(e) => setFiles([...(e.currentTarget.files ?? [])].slice(0, 15))}
        data-testid="upload-files"
      />
      <div class="actions">
        <button type="button" disabled={files.length < 3} onClick={() => onFiles(files)} data-testid="upload-submit">
          {t('upload.submit', { count: files.length })}
        </button>
      </div>
    </details>
  );
}

function PinStep({ identity, enrollment, onDone }: { identity: KioskIdentity; enrollment: Enrollment; onDone: (pinSet: boolean) => void }) {
  const [pin, setPin] = useState('');
  const { busy, error, run } = useAction();
  const save = () =>
    run(async () => {
      await readJson(await signedFetch(`/v1/kiosk/enrollments/${encodeURIComponent(enrollment.subjectId)}/pin`, identity, { method: 'PUT', json: { value: pin } }));
      onDone(true);
    });
  return (
    <section data-testid="step-pin">
      <StepHeading>{t('pin.heading')}</StepHeading>
      <p>{t('pin.intro')}</p>
      <SubmitForm onSubmit={save}>
        <div class="field">
          <label for="pin">{t('pin.label')}</label>
          <input
            id="pin"
            type="password"
            inputMode="numeric"
            autoComplete="off"
            pattern="[0-9]{4,6}"
            minLength={4}
            maxLength={6}
            value={pin}
            onInput={(e) => setPin(e.currentTarget.value.replace(/\D/g, ''))}
            data-testid="pin-input"
          />
        </div>
        <div class="actions">
          <button type="submit" disabled={busy || !/^\d{4,6}$/.test(pin)} data-testid="pin-save">
            {t('pin.save')}
          </button>
          <button type="button" class="secondary" onClick={() => onDone(false)} data-testid="pin-skip">
            {t('pin.skip')}
          </button>
        </div>
      </SubmitForm>
      <ErrorNote message={error} />
    </section>
  );
}

function Receipt({ step, onNext }: { step: Extract<Step, { name: 'receipt' }>; onNext: () => void }) {
  const { enrollment, timing } = step;
  return (
    <section data-testid="step-receipt">
      <StepHeading>{t('receipt.heading')}</StepHeading>
      <p class="note note-ok">{t('receipt.done')}</p>
      <p
        class="latency"
        data-testid="enroll-latency"
        data-enroll-ms={timing.elapsedMs}
        data-performed-ms={timing.performedMs}
        data-answer-ms={timing.answerMs}
      >
        {t('receipt.latency', { ms: timing.elapsedMs })}
        {timing.performedMs !== undefined && timing.answerMs !== undefined ? (
          <>
            {' '}
            ({t('receipt.timing', { performed: timing.performedMs, answer: timing.answerMs })})
          </>
        ) : null}
      </p>
      <h3>{t('receipt.codeHeading')}</h3>
      <p>
        <strong>{t('receipt.writeDown')}</strong>
      </p>
      <p class="privacy-code" data-testid="privacy-code" aria-label={t('receipt.codeLabel', { code: enrollment.privacyCode.split('').join(' ') })}>
        {enrollment.privacyCode}
      </p>
      <p class="hint">{t('receipt.codeOnce')}</p>
      {step.last4 ? <p>{t('receipt.card', { last4: step.last4 })}</p> : null}
      {step.pinSet ? <p>{t('receipt.pin')}</p> : null}
      <h3>{t('receipt.keptHeading')}</h3>
      <ul data-testid="kept">
        {enrollment.kept.map((item) => (
          <li key={item}>{item}</li>
        ))}
      </ul>
      <h3>{t('receipt.leaveHeading')}</h3>
      <p>
        {t('receipt.leave')} <a href="/privacy">{t('receipt.leaveLink')}</a>
      </p>
      <div class="actions">
        <button type="button" class="secondary" onClick={() => downloadJson(`facekey-consent-${enrollment.subjectId}.json`, enrollment.consent)} data-testid="receipt-download">
          {t('receipt.download')}
        </button>
        <button type="button" onClick={onNext} data-testid="next-person">
          {t('receipt.next')}
        </button>
      </div>
    </section>
  );
}
