/**
 * Card linking through the network's hosted card page in an iframe: the card number is typed into
 * the network's page and never reaches this kiosk or facekey; only the token comes back, by
 * postMessage from exactly the network's origin.
 */
import { useEffect } from 'preact/hooks';
import { readJson } from '../../shared/api';
import type { KioskIdentity } from '../../shared/kiosk-identity';
import { signedFetch } from '../../shared/signed-fetch';
import { t } from '../../shared/i18n';
import { Busy, ErrorNote, StepHeading } from '../../shared/ui';
import type { Enrollment } from './enroll-app';
import { cardTokenFrom } from './card-token';
import { useAction } from '../../shared/use-action';

export function CardLink({
  networkUrl,
  identity,
  enrollment,
  onDone,
}: {
  networkUrl: string | undefined;
  identity: KioskIdentity;
  enrollment: Enrollment;
  onDone: (last4: string | undefined) => void;
}) {
  const { busy, error, run } = useAction();
  const networkOrigin = networkUrl ? new URL(networkUrl).origin : undefined;

  useEffect(() => {
    if (!networkOrigin) return;
    const listener = async (event: MessageEvent) => {
      const token = cardTokenFrom(event, networkOrigin);
      if (!token) return;
      await run(async () => {
        await readJson(await signedFetch(`/v1/kiosk/enrollments/${encodeURIComponent(enrollment.subjectId)}/tokens`, identity, { json: { tokenRef: token.tokenRef } }));
        onDone(token.last4);
      });
    };
    window.addEventListener('message', listener);
    return () => window.removeEventListener('message', listener);
  }, [networkOrigin, enrollment.subjectId]);

  return (
    <section data-testid="step-card">
      <StepHeading>{t('card.heading')}</StepHeading>
      <p>{t('card.intro')}</p>
      {networkUrl ? (
        <iframe
          class="card-frame"
          title={t('card.frameTitle')}
          src={`${networkUrl.replace(/\/$/, '')}/hosted/card?origin=${encodeURIComponent(location.origin)}`}
          data-testid="card-frame"
        />
      ) : (
        <p class="note note-warn">{t('card.noNetwork')}</p>
      )}
      {busy ? <Busy label={t('card.linking')} /> : null}
      <ErrorNote message={error} />
      <div class="actions">
        <button type="button" class="secondary" onClick={() => onDone(undefined)} data-testid="card-skip">
          {t('card.skip')}
        </button>
      </div>
    </section>
  );
}
