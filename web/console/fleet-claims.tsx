/** The fleet page's claims: create one (its secret shown once) and revoke. */
import { useState } from 'preact/hooks';
import { t } from '../shared/i18n';
import { ErrorNote, Field, SubmitForm } from '../shared/ui';
import { useAction } from '../shared/use-action';
import { useForm } from '../shared/use-form';
import type { ConsoleCall } from './console-app';
import { useLoad } from './use-load';
import { dateTime, number } from './format';
import { Heads, KindOptions, shortId } from './fleet-parts';

interface Claim {
  readonly id: string;
  readonly kind: string;
  readonly siteId: string;
  readonly tags: readonly string[];
  readonly expiresAt: string;
  readonly maxUses: number;
  readonly uses: number;
  readonly revokedAt: string | null;
}

export function ClaimsSection({ call }: { call: ConsoleCall }) {
  const claims = useLoad(() => call<{ items: Claim[] }>('/v1/fleet/claims'));
  const { busy, error, run } = useAction();
  const { form, input, select } = useForm({ kind: 'checkout', siteId: 'store-1', tags: '', maxUses: '1', expiresInHours: '24' });
  const [token, setToken] = useState<string>();
  const create = () =>
    run(async () => {
      const created = await call<{ token: string }>('/v1/fleet/claims', {
        json: {
          kind: form.kind,
          siteId: form.siteId.trim(),
          tags: form.tags.split(',').map((s) => s.trim()).filter(Boolean),
          maxUses: Number(form.maxUses),
          expiresInSeconds: Math.round(Number(form.expiresInHours) * 3600),
        },
      });
      setToken(created.token);
      claims.reload();
    });
  const revoke = (id: string) =>
    run(async () => {
      await call(`/v1/fleet/claims/${encodeURIComponent(id)}`, { method: 'DELETE' });
      claims.reload();
    });
  return (
    <>
      <h3 id="fleet-claims-heading">{t('fleet.claimsHeading')}</h3>
      <p>{t('fleet.claimsIntro')}</p>
      <SubmitForm labelledBy="fleet-claims-heading" onSubmit={create}>
        <Field id="fleet-claim-kind" label={t('fleet.kind')}>
        <select id="fleet-claim-kind" {...select('kind')} data-testid="fleet-claim-kind">
          <KindOptions />
        </select>
        </Field>
        <Field id="fleet-claim-site" label={t('fleet.site')}>
        <input id="fleet-claim-site" required pattern="[A-Za-z0-9_.\-]{1,64}" {...input('siteId')} data-testid="fleet-claim-site" />
        </Field>
        <Field id="fleet-claim-tags" label={t('fleet.tags')} hint={t('fleet.tagsHint')}>
        <input id="fleet-claim-tags" aria-describedby="fleet-claim-tags-hint" {...input('tags')} data-testid="fleet-claim-tags" />
        </Field>
        <Field id="fleet-claim-uses" label={t('fleet.uses')}>
        <input id="fleet-claim-uses" type="number" min={1} max={10000} required {...input('maxUses')} data-testid="fleet-claim-uses" />
        </Field>
        <Field id="fleet-claim-expiry" label={t('fleet.expiresInHours')}>
        <input id="fleet-claim-expiry" type="number" min={0.02} max={720} step="any" required {...input('expiresInHours')} data-testid="fleet-claim-expiry" />
        </Field>
        <div class="actions">
          <button type="submit" disabled={busy} data-testid="fleet-claim-create">
            {t('fleet.createClaim')}
          </button>
        </div>
      </SubmitForm>
      {token ? (
        <div class="panel" role="status">
          <p>{t('fleet.claimSecret')}</p>
          <p>
            <code data-testid="fleet-claim-secret">{token}</code>
          </p>
          <p class="hint">{t('fleet.claimSecretOnce')}</p>
        </div>
      ) : null}
      <ErrorNote message={claims.error ?? error} />
      {claims.data && claims.data.items.length > 0 ? (
        <table data-testid="fleet-claims" aria-labelledby="fleet-claims-heading">
          <Heads columns={['fleet.claim', 'fleet.kind', 'fleet.site', 'fleet.tags', 'fleet.uses', 'fleet.expires', 'fleet.status']} />
          <tbody>
            {claims.data.items.map((claim) => (
              <tr key={claim.id} data-claim-id={claim.id}>
                <td>
                  <code>{shortId(claim.id)}</code>
                </td>
                <td>{t(`kind.${claim.kind}`)}</td>
                <td>{claim.siteId}</td>
                <td>{claim.tags.join(', ')}</td>
                <td>{`${number(claim.uses)} / ${number(claim.maxUses)}`}</td>
                <td>{dateTime(claim.expiresAt)}</td>
                <td>
                  {claim.revokedAt ? (
                    t('fleet.revokedAt', { at: dateTime(claim.revokedAt) })
                  ) : (
                    <button type="button" class="danger" disabled={busy} onClick={() => void revoke(claim.id)} aria-label={t('fleet.revokeClaim', { id: claim.id })} data-testid="fleet-claim-revoke">
                      {t('fleet.revoke')}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </>
  );
}
