/** The fleet page's devices: counts by kind and presence, the filtered list, one device's twin and connection log. */
import { useState } from 'preact/hooks';
import { t } from '../shared/i18n';
import { Busy, ErrorNote, Field } from '../shared/ui';
import { useForm } from '../shared/use-form';
import type { ConsoleCall } from './console-app';
import { useLoad } from './use-load';
import { dateTime, number } from './format';
import { Heads, KINDS, KindOptions, shortId } from './fleet-parts';

interface Presence {
  readonly state: 'online' | 'offline';
  readonly reason: string;
  readonly since: string;
  readonly lastSeenAt: string | null;
}

interface Device {
  readonly id: string;
  readonly kind: string;
  readonly siteId: string;
  readonly tags: readonly string[];
  readonly registeredAt: string;
  readonly revokedAt: string | null;
  readonly presence?: Presence | null;
  readonly engine?: { readonly id?: string; readonly version?: string } | null;
}

interface Twin {
  readonly desired: Record<string, unknown>;
  readonly desiredVersion: number;
  readonly reported: Record<string, unknown>;
  readonly reportedVersion: number;
  readonly reportedAt: string | null;
  readonly delta: Record<string, unknown>;
}

interface ConnectionEvent {
  readonly event: string;
  readonly reason: string;
  readonly at: string;
}

const json = (value: unknown) => JSON.stringify(value, null, 2);
const query = (filter: Record<string, string>) => {
  const params = new URLSearchParams(Object.entries(filter).filter(([, v]) => v.trim() !== ''));
  return params.size > 0 ? `?${params}` : '';
};

export function DevicesSection({ call }: { call: ConsoleCall }) {
  const { form: draft, input, select } = useForm({ kind: '', siteId: '', tag: '' });
  const [filter, setFilter] = useState(draft);
  const [selected, setSelected] = useState<string>();
  const all = useLoad(() => call<{ items: Device[] }>('/v1/fleet/devices'));
  const shown = useLoad(() => call<{ items: Device[] }>(`/v1/fleet/devices${query(filter)}`), [filter.kind, filter.siteId, filter.tag]);
  const active = all.data?.items.filter((d) => !d.revokedAt) ?? [];
  const refresh = () => {
    all.reload();
    shown.reload();
  };
  return (
    <>
      <h3 id="fleet-devices-heading">{t('fleet.devicesHeading')}</h3>
      <ErrorNote message={all.error ?? shown.error} />
      {all.data ? (
        <table data-testid="fleet-counts" aria-describedby="fleet-counts-hint">
          <caption>{t('fleet.countsCaption')}</caption>
          <Heads columns={['fleet.kind', 'fleet.online', 'fleet.offline']} />
          <tbody>
            {KINDS.map((kind) => {
              const ofKind = active.filter((d) => d.kind === kind);
              const online = ofKind.filter((d) => d.presence?.state === 'online').length;
              return (
                <tr key={kind} data-kind={kind}>
                  <th scope="row">{t(`kind.${kind}`)}</th>
                  <td data-testid={`fleet-online-${kind}`}>{number(online)}</td>
                  <td data-testid={`fleet-offline-${kind}`}>{number(ofKind.length - online)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : all.error ? null : (
        <Busy label={t('common.loading')} />
      )}
      <p class="hint" id="fleet-counts-hint">
        {t('fleet.countsHint')}
      </p>
      <form
        class="filters"
        aria-label={t('fleet.filter')}
        onSubmit={(e) => {
          e.preventDefault();
          setFilter(draft);
        }}
      >
        <Field id="fleet-filter-kind" label={t('fleet.kind')}>
        <select id="fleet-filter-kind" {...select('kind')} data-testid="fleet-filter-kind">
          <option value="">{t('fleet.anyKind')}</option>
          <KindOptions />
        </select>
        </Field>
        <Field id="fleet-filter-site" label={t('fleet.site')}>
        <input id="fleet-filter-site" {...input('siteId')} data-testid="fleet-filter-site" />
        </Field>
        <Field id="fleet-filter-tag" label={t('fleet.tag')}>
        <input id="fleet-filter-tag" {...input('tag')} data-testid="fleet-filter-tag" />
        </Field>
        <div class="actions">
          <button type="submit" data-testid="fleet-filter-apply">
            {t('fleet.applyFilter')}
          </button>
          <button type="button" class="secondary" onClick={refresh} data-testid="fleet-refresh">
            {t('fleet.refresh')}
          </button>
        </div>
      </form>
      {shown.data ? (
        shown.data.items.length === 0 ? (
          <p data-testid="fleet-devices-empty">{t('fleet.noDevices')}</p>
        ) : (
          <table data-testid="fleet-devices" aria-labelledby="fleet-devices-heading">
            <Heads columns={['fleet.device', 'fleet.kind', 'fleet.site', 'fleet.tags', 'fleet.presence', 'fleet.lastSeen', 'fleet.engine']} />
            <tbody>
              {shown.data.items.map((device) => (
                <tr key={device.id} data-device-id={device.id} data-presence={device.revokedAt ? 'revoked' : (device.presence?.state ?? 'offline')}>
                  <td>
                    <button
                      type="button"
                      class="link"
                      aria-pressed={selected === device.id}
                      aria-label={t('fleet.showDevice', { id: device.id })}
                      onClick={() => setSelected(selected === device.id ? undefined : device.id)}
                      data-testid="fleet-device-open"
                    >
                      <code>{shortId(device.id)}</code>
                    </button>
                  </td>
                  <td>{t(`kind.${device.kind}`)}</td>
                  <td>{device.siteId}</td>
                  <td>{device.tags.join(', ')}</td>
                  <td data-testid="fleet-device-presence">
                    {device.revokedAt ? t('fleet.revoked') : device.presence?.state === 'online' ? t('fleet.online') : t('fleet.offline')}
                  </td>
                  <td>{dateTime(device.presence?.lastSeenAt)}</td>
                  <td data-testid="fleet-device-engine">{device.engine?.id ? `${device.engine.id} ${device.engine.version ?? ''}` : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )
      ) : null}
      {selected ? <DeviceDetail key={selected} call={call} deviceId={selected} /> : null}
    </>
  );
}

function DeviceDetail({ call, deviceId }: { call: ConsoleCall; deviceId: string }) {
  const base = `/v1/fleet/devices/${encodeURIComponent(deviceId)}`;
  const twin = useLoad(() => call<Twin>(`${base}/twin`));
  const log = useLoad(() => call<{ items: ConnectionEvent[] }>(`${base}/connections`));
  return (
    <div class="panel" data-testid="fleet-device-detail" data-device-id={deviceId}>
      <h4>{t('fleet.deviceHeading', { id: deviceId })}</h4>
      <ErrorNote message={twin.error ?? log.error} />
      {twin.data ? (
        <div data-testid="fleet-twin" data-desired-version={twin.data.desiredVersion} data-reported-version={twin.data.reportedVersion}>
          <p>{t('fleet.twinVersions', { desired: twin.data.desiredVersion, reported: twin.data.reportedVersion, at: dateTime(twin.data.reportedAt) })}</p>
          {(
            [
              ['desired', twin.data.desired],
              ['reported', twin.data.reported],
              ['delta', twin.data.delta],
            ] as const
          ).map(([part, value]) => (
            <div key={part}>
              <h5 id={`twin-${part}`}>{t(`fleet.twin.${part}`)}</h5>
              <pre tabIndex={0} aria-labelledby={`twin-${part}`} data-testid={`fleet-twin-${part}`}>
                {json(value)}
              </pre>
            </div>
          ))}
        </div>
      ) : null}
      {log.data ? (
        <table data-testid="fleet-connection-log">
          <caption>{t('fleet.connectionLog')}</caption>
          <Heads columns={['fleet.at', 'fleet.event', 'fleet.reason']} />
          <tbody>
            {log.data.items.map((entry, i) => (
              <tr key={`${entry.at}-${i}`}>
                <td>{dateTime(entry.at)}</td>
                <td>{entry.event === 'online' ? t('fleet.online') : t('fleet.offline')}</td>
                <td>{entry.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </div>
  );
}
