/** The fleet page's jobs and rollouts: start one, its per-state counts, phase and status; cancel, complete, retry the failed ones. */
import { t } from '../shared/i18n';
import { ErrorNote, Field, SubmitForm } from '../shared/ui';
import { useAction } from '../shared/use-action';
import { useForm } from '../shared/use-form';
import type { ConsoleCall } from './console-app';
import { useLoad } from './use-load';
import { dateTime, number } from './format';
import { Heads, KindOptions, shortId } from './fleet-parts';

const EXECUTION_STATES = ['queued', 'in_progress', 'succeeded', 'failed', 'rejected', 'timed_out', 'canceled'] as const;

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

export function JobsSection({ call }: { call: ConsoleCall }) {
  const jobs = useLoad(() => call<{ items: Job[] }>('/v1/fleet/jobs'));
  const { busy, error, run } = useAction();
  const { form, input: field, select } = useForm({ engineId: '', engineVersion: '', kind: '', siteId: '', tag: '', mode: 'snapshot', phases: '0.1, 0.5, 1', thresholdPercent: '10', minExecuted: '1', timeoutSeconds: '600' });
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
      <SubmitForm labelledBy="fleet-jobs-heading" onSubmit={create}>
        <Field id="fleet-job-engine-id" label={t('fleet.engineId')}>
        <input id="fleet-job-engine-id" required {...field('engineId')} data-testid="fleet-job-engine-id" />
        </Field>
        <Field id="fleet-job-engine-version" label={t('fleet.engineVersion')}>
        <input id="fleet-job-engine-version" required {...field('engineVersion')} data-testid="fleet-job-engine-version" />
        </Field>
        <Field id="fleet-job-kind" label={t('fleet.targetKind')}>
        <select id="fleet-job-kind" {...select('kind')} data-testid="fleet-job-kind">
          <option value="">{t('fleet.anyKind')}</option>
          <KindOptions />
        </select>
        </Field>
        <Field id="fleet-job-site" label={t('fleet.targetSite')}>
        <input id="fleet-job-site" {...field('siteId')} data-testid="fleet-job-site" />
        </Field>
        <Field id="fleet-job-tag" label={t('fleet.targetTag')}>
        <input id="fleet-job-tag" {...field('tag')} data-testid="fleet-job-tag" />
        </Field>
        <Field id="fleet-job-mode" label={t('fleet.mode')} hint={t('fleet.modeHint')}>
        <select id="fleet-job-mode" aria-describedby="fleet-job-mode-hint" {...select('mode')} data-testid="fleet-job-mode">
          <option value="snapshot">{t('fleet.mode.snapshot')}</option>
          <option value="continuous">{t('fleet.mode.continuous')}</option>
        </select>
        </Field>
        <Field id="fleet-job-phases" label={t('fleet.phases')} hint={t('fleet.phasesHint')}>
        <input id="fleet-job-phases" aria-describedby="fleet-job-phases-hint" required {...field('phases')} data-testid="fleet-job-phases" />
        </Field>
        <Field id="fleet-job-threshold" label={t('fleet.abortThreshold')}>
        <input id="fleet-job-threshold" type="number" min={0.1} max={100} step="any" required {...field('thresholdPercent')} data-testid="fleet-job-threshold" />
        </Field>
        <Field id="fleet-job-min" label={t('fleet.abortMinExecuted')}>
        <input id="fleet-job-min" type="number" min={1} required {...field('minExecuted')} data-testid="fleet-job-min" />
        </Field>
        <Field id="fleet-job-timeout" label={t('fleet.timeoutSeconds')}>
        <input id="fleet-job-timeout" type="number" min={1} required {...field('timeoutSeconds')} data-testid="fleet-job-timeout" />
        </Field>
        <div class="actions">
          <button type="submit" disabled={busy} data-testid="fleet-job-create">
            {t('fleet.createJob')}
          </button>
          <button type="button" class="secondary" onClick={jobs.reload} data-testid="fleet-jobs-refresh">
            {t('fleet.refresh')}
          </button>
        </div>
      </SubmitForm>
      <ErrorNote message={jobs.error ?? error} />
      {jobs.data && jobs.data.items.length > 0 ? (
        <table data-testid="fleet-jobs" aria-labelledby="fleet-jobs-heading">
          <Heads columns={['fleet.job', 'fleet.mode', 'fleet.status', 'fleet.phase', 'fleet.executions', 'fleet.actions']} />
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
