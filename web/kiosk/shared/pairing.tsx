/** First start of a kiosk: pair it with a fleet claim (from `#claim=` or typed in by the installer). */
import { useEffect, useState } from 'preact/hooks';
import { claimFromLocation, loadIdentity, pairWithClaim, type KioskIdentity, type KioskRole } from '../../shared/kiosk-identity';
import { t } from '../../shared/i18n';
import { Busy, ErrorNote, Field, StepHeading } from '../../shared/ui';
import { useAction } from '../../shared/use-action';

export function usePairedIdentity(role: KioskRole): { identity: KioskIdentity | undefined; loading: boolean; setIdentity: (i: KioskIdentity | undefined) => void } {
  const [identity, setIdentity] = useState<KioskIdentity | undefined>();
  const [loading, setLoading] = useState(true);
  useEffect(() => {
    loadIdentity(role)
      .then(setIdentity)
      .catch(() => setIdentity(undefined))
      .finally(() => setLoading(false));
  }, [role]);
  return { identity, loading, setIdentity };
}

export function Pairing({ role, onPaired }: { role: KioskRole; onPaired: (identity: KioskIdentity) => void }) {
  const [claim, setClaim] = useState('');
  const [label, setLabel] = useState(role === 'enroll' ? 'Enrollment kiosk' : 'Checkout lane');
  const { busy, error, run } = useAction();

  const pair = (token: string) => run(async () => onPaired(await pairWithClaim(role, token.trim(), label.trim() || label)));

  // The pairing link may be opened while this page is already showing (same document, new fragment).
  useEffect(() => {
    const fromLocation = () => {
      const fromUrl = claimFromLocation();
      if (fromUrl) {
        setClaim(fromUrl);
        void pair(fromUrl);
      }
    };
    fromLocation();
    window.addEventListener('hashchange', fromLocation);
    return () => window.removeEventListener('hashchange', fromLocation);
  }, []);

  return (
    <section aria-labelledby="pair-heading" data-testid="step-pair">
      <StepHeading>{t('pair.heading')}</StepHeading>
      <p id="pair-heading">{t('pair.intro')}</p>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void pair(claim);
        }}
      >
        <Field id="claim" label={t('pair.claim')} hint={t('pair.claimHint')}>
          <input id="claim" name="claim" autoComplete="off" spellcheck={false} required value={claim} onInput={(e) => setClaim(e.currentTarget.value)} aria-describedby="claim-hint" data-testid="pair-claim" />
        </Field>
        <Field id="label" label={t('pair.label')}>
          <input id="label" name="label" value={label} onInput={(e) => setLabel(e.currentTarget.value)} maxLength={200} />
        </Field>
        <div class="actions">
          <button type="submit" disabled={busy || !claim.trim()} data-testid="pair-submit">
            {t('pair.submit')}
          </button>
        </div>
      </form>
      {busy ? <Busy label={t('pair.busy')} /> : null}
      <ErrorNote message={error} />
    </section>
  );
}

export function PairedBadge({ identity, onForget }: { identity: KioskIdentity; onForget: () => void }) {
  return (
    <nav aria-label={t('pair.device')}>
      <span data-testid="terminal-id" title={identity.terminalId}>
        {t('pair.pairedAs', { kind: identity.kind, site: identity.siteId })}
      </span>
      <button type="button" class="secondary" onClick={onForget}>
        {t('pair.forget')}
      </button>
    </nav>
  );
}
