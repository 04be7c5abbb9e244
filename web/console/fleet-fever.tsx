/** The fleet page's fever alerts: record the secondary check, which erases the temperature value. */
import { t } from '../shared/i18n';
import { ErrorNote } from '../shared/ui';
import { useAction } from '../shared/use-action';
import type { ConsoleCall } from './console-app';
import { useLoad } from './use-load';
import { dateTime } from './format';
import { Heads, shortId } from './fleet-parts';

const OUTCOMES = ['confirmed_fever', 'cleared', 'not_checked'] as const;

interface FeverAlert {
  readonly id: string;
  readonly deviceId: string;
  readonly siteId: string;
  readonly temperatureC: number | null;
  readonly alarmThresholdC: number;
  readonly raisedAt: string;
  readonly outcome: string | null;
}

export function FeverSection({ call }: { call: ConsoleCall }) {
  const alerts = useLoad(() => call<{ items: FeverAlert[] }>('/v1/fleet/fever-alerts'));
  const { busy, error, run } = useAction();
  const record = (id: string, outcome: string) =>
    run(async () => {
      await call(`/v1/fleet/fever-alerts/${encodeURIComponent(id)}/outcome`, { json: { outcome } });
      alerts.reload();
    });
  return (
    <>
      <h3 id="fleet-fever-heading">{t('fleet.feverHeading')}</h3>
      <p>{t('fleet.feverIntro')}</p>
      <div class="actions">
        <button type="button" class="secondary" onClick={alerts.reload} data-testid="fleet-fever-refresh">
          {t('fleet.refresh')}
        </button>
      </div>
      <ErrorNote message={alerts.error ?? error} />
      {alerts.data && alerts.data.items.length > 0 ? (
        <table data-testid="fleet-fever-alerts" aria-labelledby="fleet-fever-heading">
          <Heads columns={['fleet.raised', 'fleet.site', 'fleet.device', 'fleet.temperature', 'fleet.outcome']} />
          <tbody>
            {alerts.data.items.map((alert) => (
              <tr key={alert.id} data-alert-id={alert.id} data-outcome={alert.outcome ?? ''}>
                <td>{dateTime(alert.raisedAt)}</td>
                <td>{alert.siteId}</td>
                <td>
                  <code>{shortId(alert.deviceId)}</code>
                </td>
                <td>{alert.temperatureC === null ? t('fleet.temperatureErased') : t('fleet.temperatureOver', { value: alert.temperatureC, threshold: alert.alarmThresholdC })}</td>
                <td>
                  {alert.outcome ? (
                    <span data-testid="fleet-fever-outcome">{t(`fleet.outcome.${alert.outcome}`)}</span>
                  ) : (
                    <div class="actions" role="group" aria-label={t('fleet.recordOutcome')}>
                      {OUTCOMES.map((outcome) => (
                        <button type="button" class="secondary" key={outcome} disabled={busy} onClick={() => void record(alert.id, outcome)} data-testid={`fleet-fever-${outcome}`}>
                          {t(`fleet.outcome.${outcome}`)}
                        </button>
                      ))}
                    </div>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : alerts.data ? (
        <p data-testid="fleet-fever-empty">{t('fleet.noFeverAlerts')}</p>
      ) : null}
    </>
  );
}
