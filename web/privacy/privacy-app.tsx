/**
 * The privacy portal: the consumer signs in with the code from their enrollment receipt, sees
 * everything held about them, downloads their receipts, withdraws personalization or leaves
 * entirely (and keeps the erasure receipt, the proof that it happened).
 */
import { useState } from 'preact/hooks';
import { apiJson, type WebConfig } from '../shared/api';
import { t } from '../shared/i18n';
import { Busy, ErrorNote, Field, Page, StepHeading, SubmitForm, downloadJson } from '../shared/ui';
import { normalizeCode } from './privacy-code';
import { useAction } from '../shared/use-action';

interface PrivacySession {
  readonly csrfToken: string;
  readonly expiresAt: string;
}

type Step = { name: 'signIn' } | { name: 'home'; session: PrivacySession } | { name: 'gone'; result: unknown };

export function PrivacyApp({ config: _config }: { config: WebConfig | undefined }) {
  const [step, setStep] = useState<Step>({ name: 'signIn' });
  return (
    <Page title={t('privacy.title')}>
      {step.name === 'signIn' ? (
        <SignIn onSession={(session) => setStep({ name: 'home', session })} />
      ) : step.name === 'home' ? (
        <Home session={step.session} onSignedOut={() => setStep({ name: 'signIn' })} onGone={(result) => setStep({ name: 'gone', result })} />
      ) : (
        <Gone result={step.result} />
      )}
    </Page>
  );
}

function SignIn({ onSession }: { onSession: (session: PrivacySession) => void }) {
  const [code, setCode] = useState('');
  const { busy, error, run } = useAction();
  const signIn = () => run(async () => onSession(await apiJson<PrivacySession>('/v1/privacy/sessions', { json: { code: normalizeCode(code) } })));
  return (
    <section data-testid="privacy-sign-in">
      <StepHeading>{t('privacy.signInHeading')}</StepHeading>
      <p>{t('privacy.signInIntro')}</p>
      <SubmitForm onSubmit={signIn}>
        <Field id="privacy-code" label={t('privacy.code')} hint={t('privacy.codeHint')}>
          <input
            id="privacy-code"
            autoComplete="off"
            autoCapitalize="characters"
            spellcheck={false}
            required
            value={code}
            onInput={(e) => setCode(e.currentTarget.value)}
            aria-describedby="privacy-code-hint"
            data-testid="privacy-code"
          />
        </Field>
        <div class="actions">
          <button type="submit" disabled={busy || normalizeCode(code).length < 4} data-testid="privacy-sign-in-submit">
            {t('privacy.signIn')}
          </button>
        </div>
      </SubmitForm>
      <ErrorNote message={error} />
    </section>
  );
}

function Home({ session, onSignedOut, onGone }: { session: PrivacySession; onSignedOut: () => void; onGone: (result: unknown) => void }) {
  const [held, setHeld] = useState<unknown>();
  const [receipts, setReceipts] = useState<readonly unknown[]>();
  const action = useAction();
  const [notice, setNotice] = useState<string>();
  const [confirmLeave, setConfirmLeave] = useState(false);

  // Each action here says what it is doing, and clears the last one's notice as well as its error.
  const run = (label: string, work: () => Promise<void>) => {
    setNotice(undefined);
    return action.run(work, label);
  };

  const write = (path: string, request: { method?: string; json?: unknown }) => apiJson<unknown>(path, { ...request, csrfToken: session.csrfToken });

  return (
    <section data-testid="privacy-home">
      <StepHeading>{t('privacy.homeHeading')}</StepHeading>
      <p>{t('privacy.homeIntro')}</p>

      <h3>{t('privacy.heldHeading')}</h3>
      <div class="actions">
        <button type="button" onClick={() => void run(t('common.loading'), async () => setHeld(await apiJson('/v1/privacy/me')))} data-testid="privacy-show">
          {t('privacy.show')}
        </button>
        {held !== undefined ? (
          <button type="button" class="secondary" onClick={() => downloadJson('facekey-my-data.json', held)} data-testid="privacy-export">
            {t('privacy.export')}
          </button>
        ) : null}
      </div>
      {held !== undefined ? (
        <pre tabIndex={0} aria-label={t('privacy.heldHeading')} data-testid="privacy-held">
          {JSON.stringify(held, null, 2)}
        </pre>
      ) : null}

      <h3>{t('privacy.receiptsHeading')}</h3>
      <div class="actions">
        <button
          type="button"
          onClick={() => void run(t('common.loading'), async () => setReceipts((await apiJson<{ items: unknown[] }>('/v1/privacy/me/receipts')).items))}
          data-testid="privacy-receipts"
        >
          {t('privacy.receipts')}
        </button>
      </div>
      {receipts ? (
        receipts.length === 0 ? (
          <p>{t('privacy.noReceipts')}</p>
        ) : (
          <ul data-testid="privacy-receipt-list">
            {receipts.map((receipt, i) => (
              <li key={i}>
                <button type="button" class="secondary" onClick={() => downloadJson(`facekey-receipt-${i + 1}.json`, receipt)}>
                  {t('privacy.downloadReceipt', { n: i + 1, kind: receiptKind(receipt) })}
                </button>
              </li>
            ))}
          </ul>
        )
      ) : null}

      <h3>{t('privacy.choicesHeading')}</h3>
      <div class="actions">
        <button
          type="button"
          class="secondary"
          onClick={() =>
            void run(t('privacy.withdrawing'), async () => {
              await write('/v1/privacy/me/opt-out', { json: { purposes: ['personalization'] } });
              setNotice(t('privacy.withdrawn'));
            })
          }
          data-testid="privacy-withdraw-personalization"
        >
          {t('privacy.withdrawPersonalization')}
        </button>
        <button type="button" class="danger" onClick={() => setConfirmLeave(true)} data-testid="privacy-opt-out">
          {t('privacy.optOut')}
        </button>
      </div>
      {confirmLeave ? (
        <div class="note note-warn" role="alertdialog" aria-labelledby="leave-confirm">
          <p id="leave-confirm">{t('privacy.optOutConfirm')}</p>
          <div class="actions">
            <button
              type="button"
              class="danger"
              onClick={() => void run(t('privacy.erasing'), async () => onGone(await write('/v1/privacy/me/opt-out', { json: {} })))}
              data-testid="privacy-opt-out-confirm"
            >
              {t('privacy.optOutYes')}
            </button>
            <button type="button" class="secondary" onClick={() => setConfirmLeave(false)}>
              {t('privacy.optOutNo')}
            </button>
          </div>
        </div>
      ) : null}
      {action.busyLabel ? <Busy label={action.busyLabel} /> : null}
      {notice ? (
        <p class="note note-ok" role="status">
          {notice}
        </p>
      ) : null}
      <ErrorNote message={action.error} />
      <div class="actions">
        <button
          type="button"
          class="secondary"
          onClick={() =>
            void run(t('common.loading'), async () => {
              await write('/v1/privacy/sessions/current', { method: 'DELETE' }).catch(() => undefined);
              onSignedOut();
            })
          }
          data-testid="privacy-sign-out"
        >
          {t('privacy.signOut')}
        </button>
      </div>
    </section>
  );
}

function receiptKind(receipt: unknown): string {
  const kind = typeof receipt === 'object' && receipt !== null ? (receipt as Record<string, unknown>).kind ?? (receipt as Record<string, unknown>).type : undefined;
  return typeof kind === 'string' ? kind : t('privacy.receipt');
}

function Gone({ result }: { result: unknown }) {
  return (
    <section data-testid="privacy-gone">
      <StepHeading>{t('privacy.goneHeading')}</StepHeading>
      <p class="note note-ok">{t('privacy.gone')}</p>
      <div class="actions">
        <button type="button" onClick={() => downloadJson('facekey-erasure-receipt.json', result)} data-testid="privacy-erasure-download">
          {t('privacy.erasureDownload')}
        </button>
      </div>
      <pre tabIndex={0} aria-label={t('privacy.erasureReceipt')} data-testid="privacy-erasure-receipt">
        {JSON.stringify(result, null, 2)}
      </pre>
    </section>
  );
}
