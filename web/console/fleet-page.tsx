/**
 * The fleet page: devices with their presence and engine, one device's twin and connection log,
 * claims, jobs and rollouts, and fever alerts. Everything goes through the public fleet API as the
 * signed-in merchant; an action is offered only where the API would accept it (no revoke of a
 * revoked claim, no cancel of a finished job, no second outcome for an alert).
 */
import { useState } from 'preact/hooks';
import { t } from '../shared/i18n';
import { Busy, ErrorNote, StepHeading } from '../shared/ui';
import { useAction } from '../shared/use-action';
import type { ConsoleCall } from './console-app';
import { useLoad } from './use-load';
import { dateTime, number } from './format';

const KINDS = ['checkout', 'enrollment_kiosk', 'temperature_scanner'] as const;
const EXECUTION_STATES = ['queued', 'in_progress', 'succeeded', 'failed', 'rejected', 'timed_out', 'canceled'] as const;
const OUTCOMES = ['confirmed_fever', 'cleared', 'not_checked'] as const;

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

interface Job {
  readonly id: string;
  readonly document: Record<string, unknown>;
  readonly target: { readonly kind?: string; readonly siteId?: string; readonly tag?: string };
  readonly mode: 'snapshot' | 'continuous';
  readonly phases: readonly number[];
  readonly phase: number;
  readonly status: 'in_progress' | 'completed' | 'aborted' | 'canceled';
  readonly statusReason: string | null;
  readonly counts: Readonly<Record<(typeof EXECUTION_STATES)[number], number>>;
  readonly createdAt: string;
}

interface FeverAlert {
  readonly id: string;
  readonly deviceId: string;
  readonly siteId: string;
  readonly temperatureC: number | null;
  readonly alarmThresholdC: number;
  readonly raisedAt: string;
  readonly outcome: string | null;
}

const shortId = (id: string) => id.slice(0, 8);
const json = (value: unknown) => JSON.stringify(value, null, 2);
const query = (filter: Record<string, string>) => {
  const params = new URLSearchParams(Object.entries(filter).filter(([, v]) => v.trim() !== ''));
  return params.size > 0 ? `?${params}` : '';
};

export function FleetPage({ call }: { call: ConsoleCall }) {
  return (
    <section data-testid="page-fleet">
      <StepHeading>{t('console.page.fleet')}</StepHeading>
      <DevicesSection call={call} />
      <ClaimsSection call={call} />
      <JobsSection call={call} />
      <FeverSection call={call} />
    </section>
  );
}

function DevicesSection({ call }: { call: ConsoleCall }) {
  const [draft, setDraft] = useState({ kind: '', siteId: '', tag: '' });
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
          <thead>
            <tr>
              <th scope="col">{t('fleet.kind')}</th>
              <th scope="col">{t('fleet.online')}</th>
              <th scope="col">{t('fleet.offline')}</th>
            </tr>
          </thead>
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
        <div class="field">
          <label for="fleet-filter-kind">{t('fleet.kind')}</label>
          <select id="fleet-filter-kind" value={draft.kind} onChange={(e) => setDraft({ ...draft, kind: e.currentTarget.value })} data-testid="fleet-filter-kind">
            <option value="">{t('fleet.anyKind')}</option>
            {KINDS.map((kind) => (
              <option key={kind} value={kind}>
                {t(`kind.${kind}`)}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="fleet-filter-site">{t('fleet.site')}</label>
          <input id="fleet-filter-site" value={draft.siteId} onInput={(e) => setDraft({ ...draft, siteId: e.currentTarget.value })} data-testid="fleet-filter-site" />
        </div>
        <div class="field">
          <label for="fleet-filter-tag">{t('fleet.tag')}</label>
          <input id="fleet-filter-tag" value={draft.tag} onInput={(e) => setDraft({ ...draft, tag: e.currentTarget.value })} data-testid="fleet-filter-tag" />
        </div>
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
            <thead>
              <tr>
                <th scope="col">{t('fleet.device')}</th>
                <th scope="col">{t('fleet.kind')}</th>
                <th scope="col">{t('fleet.site')}</th>
                <th scope="col">{t('fleet.tags')}</th>
                <th scope="col">{t('fleet.presence')}</th>
                <th scope="col">{t('fleet.lastSeen')}</th>
                <th scope="col">{t('fleet.engine')}</th>
              </tr>
            </thead>
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
          <thead>
            <tr>
              <th scope="col">{t('fleet.at')}</th>
              <th scope="col">{t('fleet.event')}</th>
              <th scope="col">{t('fleet.reason')}</th>
            </tr>
          </thead>
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

function ClaimsSection({ call }: { call: ConsoleCall }) {
  const claims = useLoad(() => call<{ items: Claim[] }>('/v1/fleet/claims'));
  const { busy, error, run } = useAction();
  const [form, setForm] = useState({ kind: 'checkout', siteId: 'store-1', tags: '', maxUses: '1', expiresInHours: '24' });
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
      <form
        aria-labelledby="fleet-claims-heading"
        onSubmit={(e) => {
          e.preventDefault();
          void create();
        }}
      >
        <div class="field">
          <label for="fleet-claim-kind">{t('fleet.kind')}</label>
          <select id="fleet-claim-kind" value={form.kind} onChange={(e) => setForm({ ...form, kind: e.currentTarget.value })} data-testid="fleet-claim-kind">
            {KINDS.map((kind) => (
              <option key={kind} value={kind}>
                {t(`kind.${kind}`)}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="fleet-claim-site">{t('fleet.site')}</label>
          <input id="fleet-claim-site" required pattern="[A-Za-z0-9_.\-]{1,64}" value={form.siteId} onInput={(e) => setForm({ ...form, siteId: e.currentTarget.value })} data-testid="fleet-claim-site" />
        </div>
        <div class="field">
          <label for="fleet-claim-tags">{t('fleet.tags')}</label>
          <p class="hint" id="fleet-claim-tags-hint">
            {t('fleet.tagsHint')}
          </p>
          <input id="fleet-claim-tags" aria-describedby="fleet-claim-tags-hint" value={form.tags} onInput={(e) => setForm({ ...form, tags: e.currentTarget.value })} data-testid="fleet-claim-tags" />
        </div>
        <div class="field">
          <label for="fleet-claim-uses">{t('fleet.uses')}</label>
          <input id="fleet-claim-uses" type="number" min={1} max={10000} required value={form.maxUses} onInput={(e) => setForm({ ...form, maxUses: e.currentTarget.value })} data-testid="fleet-claim-uses" />
        </div>
        <div class="field">
          <label for="fleet-claim-expiry">{t('fleet.expiresInHours')}</label>
          <input id="fleet-claim-expiry" type="number" min={0.02} max={720} step="any" required value={form.expiresInHours} onInput={(e) => setForm({ ...form, expiresInHours: e.currentTarget.value })} data-testid="fleet-claim-expiry" />
        </div>
        <div class="actions">
          <button type="submit" disabled={busy} data-testid="fleet-claim-create">
            {t('fleet.createClaim')}
          </button>
        </div>
      </form>
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
          <thead>
            <tr>
              <th scope="col">{t('fleet.claim')}</th>
              <th scope="col">{t('fleet.kind')}</th>
              <th scope="col">{t('fleet.site')}</th>
              <th scope="col">{t('fleet.tags')}</th>
              <th scope="col">{t('fleet.uses')}</th>
              <th scope="col">{t('fleet.expires')}</th>
              <th scope="col">{t('fleet.status')}</th>
            </tr>
          </thead>
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

function JobsSection({ call }: { call: ConsoleCall }) {
  const jobs = useLoad(() => call<{ items: Job[] }>('/v1/fleet/jobs'));
  const { busy, error, run } = useAction();
  const [form, setForm] = useState({ engineId: '', engineVersion: '', kind: '', siteId: '', tag: '', mode: 'snapshot', phases: '0.1, 0.5, 1', thresholdPercent: '10', minExecuted: '1', timeoutSeconds: '600' });
  const field = (name: keyof typeof form) => ({ value: form[name], onInput: (e: { currentTarget: HTMLInputElement }) => setForm({ ...form, [name]: e.currentTarget.value }) });
  const create = () =>
    run(async () => {
      const target: Record<string, string> = {};
      if (form.kind) target.kind = form.kind;
      if (form.siteId.trim()) target.siteId = form.siteId.trim();
      if (form.tag.trim()) target.tag = form.tag.trim();
      await call('/v1/fleet/jobs', {
        json: {
          document: { engine: { id: form.engineId.trim(), version: form.engineVersion.trim() } },
          target,
          mode: form.mode,
          phases: form.phases.split(',').map((p) => Number(p.trim())),
          abort: { failureTypes: ['failed', 'timed_out'], thresholdPercent: Number(form.thresholdPercent), minExecuted: Number(form.minExecuted) },
          inProgressTimeoutMs: Math.round(Number(form.timeoutSeconds) * 1000),
        },
      });
      jobs.reload();
    });
  const act = (id: string, action: 'cancel' | 'retry-failed' | 'complete') =>
    run(async () => {
      await call(`/v1/fleet/jobs/${encodeURIComponent(id)}/${action}`, { method: 'POST' });
      jobs.reload();
    });
  return (
    <>
      <h3 id="fleet-jobs-heading">{t('fleet.jobsHeading')}</h3>
      <p>{t('fleet.jobsIntro')}</p>
      <form
        aria-labelledby="fleet-jobs-heading"
        onSubmit={(e) => {
          e.preventDefault();
          void create();
        }}
      >
        <div class="field">
          <label for="fleet-job-engine-id">{t('fleet.engineId')}</label>
          <input id="fleet-job-engine-id" required {...field('engineId')} data-testid="fleet-job-engine-id" />
        </div>
        <div class="field">
          <label for="fleet-job-engine-version">{t('fleet.engineVersion')}</label>
          <input id="fleet-job-engine-version" required {...field('engineVersion')} data-testid="fleet-job-engine-version" />
        </div>
        <div class="field">
          <label for="fleet-job-kind">{t('fleet.targetKind')}</label>
          <select id="fleet-job-kind" value={form.kind} onChange={(e) => setForm({ ...form, kind: e.currentTarget.value })} data-testid="fleet-job-kind">
            <option value="">{t('fleet.anyKind')}</option>
            {KINDS.map((kind) => (
              <option key={kind} value={kind}>
                {t(`kind.${kind}`)}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="fleet-job-site">{t('fleet.targetSite')}</label>
          <input id="fleet-job-site" {...field('siteId')} data-testid="fleet-job-site" />
        </div>
        <div class="field">
          <label for="fleet-job-tag">{t('fleet.targetTag')}</label>
          <input id="fleet-job-tag" {...field('tag')} data-testid="fleet-job-tag" />
        </div>
        <div class="field">
          <label for="fleet-job-mode">{t('fleet.mode')}</label>
          <p class="hint" id="fleet-job-mode-hint">
            {t('fleet.modeHint')}
          </p>
          <select id="fleet-job-mode" aria-describedby="fleet-job-mode-hint" value={form.mode} onChange={(e) => setForm({ ...form, mode: e.currentTarget.value })} data-testid="fleet-job-mode">
            <option value="snapshot">{t('fleet.mode.snapshot')}</option>
            <option value="continuous">{t('fleet.mode.continuous')}</option>
          </select>
        </div>
        <div class="field">
          <label for="fleet-job-phases">{t('fleet.phases')}</label>
          <p class="hint" id="fleet-job-phases-hint">
            {t('fleet.phasesHint')}
          </p>
          <input id="fleet-job-phases" aria-describedby="fleet-job-phases-hint" required {...field('phases')} data-testid="fleet-job-phases" />
        </div>
        <div class="field">
          <label for="fleet-job-threshold">{t('fleet.abortThreshold')}</label>
          <input id="fleet-job-threshold" type="number" min={0.1} max={100} step="any" required {...field('thresholdPercent')} data-testid="fleet-job-threshold" />
        </div>
        <div class="field">
          <label for="fleet-job-min">{t('fleet.abortMinExecuted')}</label>
          <input id="fleet-job-min" type="number" min={1} required {...field('minExecuted')} data-testid="fleet-job-min" />
        </div>
        <div class="field">
          <label for="fleet-job-timeout">{t('fleet.timeoutSeconds')}</label>
          <input id="fleet-job-timeout" type="number" min={1} required {...field('timeoutSeconds')} data-testid="fleet-job-timeout" />
        </div>
        <div class="actions">
          <button type="submit" disabled={busy} data-testid="fleet-job-create">
            {t('fleet.createJob')}
          </button>
          <button type="button" class="secondary" onClick={jobs.reload} data-testid="fleet-jobs-refresh">
            {t('fleet.refresh')}
          </button>
        </div>
      </form>
      <ErrorNote message={jobs.error ?? error} />
      {jobs.data && jobs.data.items.length > 0 ? (
        <table data-testid="fleet-jobs" aria-labelledby="fleet-jobs-heading">
          <thead>
            <tr>
              <th scope="col">{t('fleet.job')}</th>
              <th scope="col">{t('fleet.mode')}</th>
              <th scope="col">{t('fleet.status')}</th>
              <th scope="col">{t('fleet.phase')}</th>
              <th scope="col">{t('fleet.executions')}</th>
              <th scope="col">{t('fleet.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {jobs.data.items.map((job) => {
              const retryable = job.counts.failed + job.counts.timed_out + job.counts.canceled > 0;
              return (
                <tr key={job.id} data-job-id={job.id} data-status={job.status}>
                  <td>
                    <code>{shortId(job.id)}</code> {dateTime(job.createdAt)}
                    <br />
                    <code>{JSON.stringify(job.document)}</code>
                  </td>
                  <td>{t(`fleet.mode.${job.mode}`)}</td>
                  <td data-testid="fleet-job-status">
                    {t(`fleet.jobStatus.${job.status}`)}
                    {job.statusReason ? <span class="hint"> — {job.statusReason}</span> : null}
                  </td>
                  <td>{t('fleet.phaseOf', { phase: job.phase + 1, phases: job.phases.length })}</td>
                  <td>
                    <ul class="counts">
                      {EXECUTION_STATES.map((state) => (
                        <li key={state} data-testid={`fleet-job-count-${state}`} data-count={job.counts[state]}>
                          {t(`fleet.execution.${state}`)}: {number(job.counts[state])}
                        </li>
                      ))}
                    </ul>
                  </td>
                  <td>
                    {job.status === 'in_progress' ? (
                      <button type="button" class="danger" disabled={busy} onClick={() => void act(job.id, 'cancel')} aria-label={t('fleet.cancelJob', { id: job.id })} data-testid="fleet-job-cancel">
                        {t('fleet.cancel')}
                      </button>
                    ) : null}
                    {job.status === 'in_progress' && job.mode === 'continuous' ? (
                      <button type="button" class="secondary" disabled={busy} onClick={() => void act(job.id, 'complete')} aria-label={t('fleet.completeJob', { id: job.id })} data-testid="fleet-job-complete">
                        {t('fleet.complete')}
                      </button>
                    ) : null}
                    {job.status !== 'canceled' && retryable ? (
                      <button type="button" class="secondary" disabled={busy} onClick={() => void act(job.id, 'retry-failed')} aria-label={t('fleet.retryJob', { id: job.id })} data-testid="fleet-job-retry">
                        {t('fleet.retryFailed')}
                      </button>
                    ) : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : jobs.data ? (
        <p data-testid="fleet-jobs-empty">{t('fleet.noJobs')}</p>
      ) : null}
    </>
  );
}

function FeverSection({ call }: { call: ConsoleCall }) {
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
          <thead>
            <tr>
              <th scope="col">{t('fleet.raised')}</th>
              <th scope="col">{t('fleet.site')}</th>
              <th scope="col">{t('fleet.device')}</th>
              <th scope="col">{t('fleet.temperature')}</th>
              <th scope="col">{t('fleet.outcome')}</th>
            </tr>
          </thead>
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
