/** The console's pages; each loads what it shows through the signed-in `call`. */
import { useEffect, useState } from 'preact/hooks';
import { errorText } from '../shared/api';
import { t } from '../shared/i18n';
import { reasonKey } from '../shared/reasons';
import { Busy, ErrorNote, Field, StepHeading, SubmitForm, Table } from '../shared/ui';
import { detPath, expectedFalseMatches, stackDeclines, type DeclineRow, type DetPoint } from './charts';
import type { ConsoleCall } from './console-app';
import { useAction } from '../shared/use-action';
import type { RiskSettings } from '../../src/checkout/risk-policy.js';
import { useLoad } from './use-load';
import { dateTime, number, percent } from './format';

interface Overview {
  readonly gallerySize: number;
  readonly subjects: number;
  readonly terminals: number;
  readonly checkouts: { readonly total: number; readonly approved: number; readonly declined: number; readonly secondFactorRequired: number };
  readonly approvalRate: number | null;
  readonly declineReasons: readonly DeclineRow[];
}

export function OverviewPage({ call }: { call: ConsoleCall }) {
  const { data, error } = useLoad(() => call<Overview>('/v1/console/overview?days=14'));
  return (
    <section data-testid="page-overview">
      <StepHeading>{t('console.page.overview')}</StepHeading>
      <ErrorNote message={error} />
      {!data ? (
        error ? null : <Busy label={t('common.loading')} />
      ) : (
        <>
          <dl class="numbers">
            <Figure label={t('overview.subjects')} value={number(data.subjects)} testId="overview-subjects" />
            <Figure label={t('overview.gallerySize')} value={number(data.gallerySize)} />
            <Figure label={t('overview.terminals')} value={number(data.terminals)} />
            <Figure label={t('overview.checkouts')} value={number(data.checkouts.total)} testId="overview-checkouts" />
            <Figure label={t('overview.approved')} value={number(data.checkouts.approved)} />
            <Figure label={t('overview.declined')} value={number(data.checkouts.declined)} />
            <Figure label={t('overview.secondFactor')} value={number(data.checkouts.secondFactorRequired)} />
            <Figure label={t('overview.approvalRate')} value={data.approvalRate === null ? '—' : percent(data.approvalRate)} />
          </dl>
          <h3 id="declines-heading">{t('overview.declinesHeading')}</h3>
          <DeclineChart rows={data.declineReasons} />
        </>
      )}
    </section>
  );
}

/** One of the overview's numbers: its label, then its value. */
function Figure({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd data-testid={testId}>{value}</dd>
    </div>
  );
}

/** Colours that keep 3:1 against white for the bars (non-text contrast). */
const PALETTE = ['#0b5cad', '#a61b1b', '#176c35', '#7a3e9d', '#8a5a00', '#0f6f76', '#444b57', '#b3361e'];

function DeclineChart({ rows }: { rows: readonly DeclineRow[] }) {
  if (rows.length === 0) return <p data-testid="declines-empty">{t('overview.noDeclines')}</p>;
  const { days, reasons, max } = stackDeclines(rows);
  const width = 640;
  const height = 220;
  const left = 36;
  const bottom = 40;
  const barWidth = (width - left) / days.length;
  const scale = (height - bottom - 10) / max;
  const colour = (reason: string) => PALETTE[reasons.indexOf(reason) % PALETTE.length]!;
  return (
    <figure>
      <svg class="chart" viewBox={`0 0 ${width} ${height}`} role="img" aria-labelledby="declines-heading declines-desc" data-testid="declines-chart">
        <desc id="declines-desc">{t('overview.chartDesc', { days: days.length, max })}</desc>
        <line x1={left} y1={height - bottom} x2={width} y2={height - bottom} stroke="#14181f" />
        <text x={left - 6} y={height - bottom} text-anchor="end">
          0
        </text>
        <text x={left - 6} y={height - bottom - max * scale + 4} text-anchor="end">
          {max}
        </text>
        {days.map((day, i) => (
          <g key={day}>
            {day.parts.map((part) => (
              <rect
                key={part.reason}
                x={left + i * barWidth + 2}
                y={height - bottom - (part.from + part.count) * scale}
                width={Math.max(2, barWidth - 4)}
                height={part.count * scale}
                fill={colour(part.reason)}
              >
                <title>{`${day.day}: ${t(reasonKey(part.reason))} — ${part.count}`}</title>
              </rect>
            ))}
            <text x={left + i * barWidth + barWidth / 2} y={height - bottom + 16} text-anchor="middle">
              {day.day.slice(5)}
            </text>
          </g>
        ))}
      </svg>
      <figcaption>
        <ul class="legend">
          {reasons.map((r) => (
            <li key={r}>
              <svg width="14" height="14" aria-hidden="true">
                <rect width="14" height="14" fill={colour(r)} />
              </svg>{' '}
              {t(reasonKey(r))}
            </li>
          ))}
        </ul>
      </figcaption>
      <Table headings={[t('overview.day'), t('overview.reason'), t('overview.count')]} class="visually-hidden" caption={t('overview.declinesHeading')}>
        {rows.map((r) => (
          <tr key={`${r.day}-${r.reason}`}>
            <td>{r.day}</td>
            <td>{t(reasonKey(r.reason))}</td>
            <td>{r.count}</td>
          </tr>
        ))}
      </Table>
    </figure>
  );
}

interface TerminalRow {
  readonly id: string;
  readonly label: string;
  readonly kind: string;
  readonly createdAt: string;
  readonly revokedAt: string | null;
  readonly lastSeenAt?: string | null;
}

const KIOSK_PATH: Record<string, string> = { enrollment_kiosk: '/kiosk/enroll', checkout: '/kiosk/checkout' };

export function TerminalsPage({ call }: { call: ConsoleCall }) {
  const { data, error, reload } = useLoad(() => call<{ items: TerminalRow[] }>('/v1/terminals'));
  const [actionError, setActionError] = useState<string>();
  const [label, setLabel] = useState('');
  const [kind, setKind] = useState('checkout');
  const [publicKey, setPublicKey] = useState('');
  const [claimKind, setClaimKind] = useState('enrollment_kiosk');
  const [siteId, setSiteId] = useState('store-1');
  const [claimUrl, setClaimUrl] = useState<string>();

  const act = async (work: () => Promise<unknown>) => {
    setActionError(undefined);
    try {
      await work();
      reload();
    } catch (e) {
      setActionError(errorText(e));
    }
  };

  const register = () =>
    act(async () => {
      let jwk: unknown;
      try {
        jwk = JSON.parse(publicKey);
      } catch {
        jwk = { kty: 'OKP', crv: 'Ed25519', x: publicKey.trim() };
      }
      await call('/v1/terminals', { json: { label: label.trim(), kind, publicKey: jwk } });
      setLabel('');
      setPublicKey('');
    });

  const createClaim = () =>
    act(async () => {
      const claim = await call<{ token: string }>('/v1/fleet/claims', { json: { kind: claimKind, siteId, expiresInSeconds: 3600, maxUses: 1 } });
      setClaimUrl(`${location.origin}${KIOSK_PATH[claimKind] ?? '/kiosk/checkout'}#claim=${encodeURIComponent(claim.token)}`);
    });

  return (
    <section data-testid="page-terminals">
      <StepHeading>{t('console.page.terminals')}</StepHeading>
      <ErrorNote message={error ?? actionError} />
      {!data ? null : data.items.length === 0 ? (
        <p>{t('terminals.none')}</p>
      ) : (
        <Table headings={[t('terminals.label'), t('terminals.kind'), t('terminals.created'), t('terminals.lastSeen'), t('terminals.status')]} testId="terminals-table">
          {data.items.map((terminal) => (
            <tr key={terminal.id} data-terminal-id={terminal.id}>
              <td>{terminal.label}</td>
              <td>{t(`kind.${terminal.kind}`)}</td>
              <td>{dateTime(terminal.createdAt)}</td>
              <td>{dateTime(terminal.lastSeenAt)}</td>
              <td>
                {terminal.revokedAt ? (
                  t('terminals.revokedAt', { at: dateTime(terminal.revokedAt) })
                ) : (
                  <button type="button" class="danger" onClick={() => void act(() => call(`/v1/terminals/${encodeURIComponent(terminal.id)}`, { method: 'DELETE' }))}>
                    {t('terminals.revoke', { label: terminal.label })}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </Table>
      )}

      <h3>{t('terminals.pairHeading')}</h3>
      <p>{t('terminals.pairIntro')}</p>
      <SubmitForm onSubmit={createClaim}>
        <Field id="claim-kind" label={t('terminals.kind')}>
          <select id="claim-kind" value={claimKind} onChange={(e) => setClaimKind(e.currentTarget.value)} data-testid="claim-kind">
            <option value="enrollment_kiosk">{t('kind.enrollment_kiosk')}</option>
            <option value="checkout">{t('kind.checkout')}</option>
          </select>
        </Field>
        <Field id="claim-site" label={t('terminals.site')}>
          <input id="claim-site" value={siteId} pattern="[A-Za-z0-9_.\-]{1,64}" onInput={(e) => setSiteId(e.currentTarget.value)} required />
        </Field>
        <div class="actions">
          <button type="submit" data-testid="claim-create">
            {t('terminals.createClaim')}
          </button>
        </div>
      </SubmitForm>
      {claimUrl ? (
        <div class="panel" role="status">
          <p>{t('terminals.claimUrl')}</p>
          <p>
            <a href={claimUrl} data-testid="claim-url">
              {claimUrl}
            </a>
          </p>
          <p class="hint">{t('terminals.claimOnce')}</p>
        </div>
      ) : null}

      <h3>{t('terminals.registerHeading')}</h3>
      <SubmitForm onSubmit={register}>
        <Field id="terminal-label" label={t('terminals.label')}>
          <input id="terminal-label" value={label} required maxLength={200} onInput={(e) => setLabel(e.currentTarget.value)} />
        </Field>
        <Field id="terminal-kind" label={t('terminals.kind')}>
          <select id="terminal-kind" value={kind} onChange={(e) => setKind(e.currentTarget.value)}>
            <option value="checkout">{t('kind.checkout')}</option>
            <option value="enrollment_kiosk">{t('kind.enrollment_kiosk')}</option>
            <option value="temperature_scanner">{t('kind.temperature_scanner')}</option>
          </select>
        </Field>
        <Field id="terminal-key" label={t('terminals.publicKey')} hint={t('terminals.publicKeyHint')}>
          <textarea id="terminal-key" rows={3} required value={publicKey} aria-describedby="terminal-key-hint" onInput={(e) => setPublicKey(e.currentTarget.value)} />
        </Field>
        <div class="actions">
          <button type="submit" disabled={!label.trim() || !publicKey.trim()}>
            {t('terminals.register')}
          </button>
        </div>
      </SubmitForm>
    </section>
  );
}

interface SubjectRow {
  readonly externalRef: string;
  readonly createdAt: string;
}

export function SubjectsPage({ call }: { call: ConsoleCall }) {
  const [after, setAfter] = useState<string | undefined>();
  const { data, error } = useLoad(() => call<{ items: SubjectRow[]; next?: string }>(`/v1/subjects?limit=50${after ? `&after=${encodeURIComponent(after)}` : ''}`), [after]);
  const overview = useLoad(() => call<Overview>('/v1/console/overview?days=1'));
  return (
    <section data-testid="page-subjects">
      <StepHeading>{t('console.page.subjects')}</StepHeading>
      <p>{t('subjects.intro')}</p>
      {overview.data ? <p data-testid="subjects-count">{t('subjects.count', { n: number(overview.data.subjects) })}</p> : null}
      <ErrorNote message={error} />
      {data ? (
        <Table headings={[t('subjects.externalRef'), t('subjects.created')]}>
          {data.items.map((s) => (
            <tr key={s.externalRef}>
              <td>{s.externalRef}</td>
              <td>{dateTime(s.createdAt)}</td>
            </tr>
          ))}
        </Table>
      ) : null}
      <div class="actions">
        {after ? (
          <button type="button" class="secondary" onClick={() => setAfter(undefined)}>
            {t('subjects.first')}
          </button>
        ) : null}
        {data?.next ? (
          <button type="button" class="secondary" onClick={() => setAfter(data.next)}>
            {t('subjects.next')}
          </button>
        ) : null}
      </div>
    </section>
  );
}


const NUMERIC_SETTINGS = ['targetFmr', 'riskBudget', 'faceOnlyAmountLimit', 'maxSubjectFailures', 'maxTerminalFailures', 'lockoutSeconds'] as const;

export function RiskPolicyPage({ call }: { call: ConsoleCall }) {
  const policy = useLoad(() => call<RiskSettings>('/v1/risk-policy'));
  const overview = useLoad(() => call<Overview>('/v1/console/overview?days=1'));
  const [draft, setDraft] = useState<Record<string, string>>({});
  const [sessionless, setSessionless] = useState<boolean>();
  const [saved, setSaved] = useState(false);
  const [saveError, setSaveError] = useState<string>();

  if (!policy.data) return <ErrorNote message={policy.error} />;
  const current = policy.data;
  const value = (key: (typeof NUMERIC_SETTINGS)[number]) => draft[key] ?? String(current[key]);
  const targetFmr = Number(value('targetFmr'));
  const gallerySize = overview.data?.gallerySize;
  const expected = gallerySize !== undefined && Number.isFinite(targetFmr) ? expectedFalseMatches(gallerySize, targetFmr) : undefined;

  const save = async () => {
    setSaved(false);
    setSaveError(undefined);
    const body: Record<string, number | boolean> = {};
    for (const key of NUMERIC_SETTINGS) if (draft[key] !== undefined) body[key] = Number(draft[key]);
    if (sessionless !== undefined) body.allowSessionlessLiveness = sessionless;
    try {
      await call('/v1/risk-policy', { method: 'PUT', json: body });
      setDraft({});
      setSessionless(undefined);
      setSaved(true);
      policy.reload();
    } catch (e) {
      setSaveError(errorText(e));
    }
  };

  return (
    <section data-testid="page-risk">
      <StepHeading>{t('console.page.risk')}</StepHeading>
      <SubmitForm onSubmit={save}>
        {NUMERIC_SETTINGS.map((key) => (
          <Field key={key} id={`risk-${key}`} label={t(`risk.${key}`)} hint={t(`risk.${key}Hint`)}>
            <input
              id={`risk-${key}`}
              inputMode="decimal"
              value={value(key)}
              aria-describedby={`risk-${key}-hint`}
              onInput={(e) => setDraft({ ...draft, [key]: e.currentTarget.value })}
              data-testid={`risk-${key}`}
            />
          </Field>
        ))}
        <p class="note" role="status" aria-live="polite" data-testid="expected-false-matches">
          {expected === undefined
            ? t('risk.expectedUnknown')
            : t('risk.expected', { gallery: number(gallerySize!), fmr: targetFmr.toExponential(1), expected: expected.toPrecision(3) })}
        </p>
        <div class="check">
          <input
            type="checkbox"
            id="risk-sessionless"
            checked={sessionless ?? current.allowSessionlessLiveness}
            onChange={(e) => setSessionless(e.currentTarget.checked)}
          />
          <label for="risk-sessionless">{t('risk.allowSessionlessLiveness')}</label>
        </div>
        <div class="actions">
          <button type="submit" data-testid="risk-save">
            {t('risk.save')}
          </button>
        </div>
      </SubmitForm>
      {saved ? (
        <p class="note note-ok" role="status">
          {t('risk.saved')}
        </p>
      ) : null}
      <ErrorNote message={saveError} />
    </section>
  );
}

interface AuditStatus {
  readonly ok: boolean;
  readonly entries: number;
  readonly head: string;
  readonly firstBadEntry?: unknown;
}

export function AuditPage({ call }: { call: ConsoleCall }) {
  const [status, setStatus] = useState<AuditStatus>();
  const { busy, error, run } = useAction();
  const verify = () => run(async () => setStatus(await call<AuditStatus>('/v1/console/audit')));
  useEffect(() => void verify(), []);
  return (
    <section data-testid="page-audit">
      <StepHeading>{t('console.page.audit')}</StepHeading>
      <p>{t('audit.intro')}</p>
      {status ? (
        <div class={`note ${status.ok ? 'note-ok' : 'note-error'}`} role="status" data-testid="audit-status" data-ok={String(status.ok)}>
          <p>{status.ok ? t('audit.ok', { n: number(status.entries) }) : t('audit.bad', { n: number(status.entries) })}</p>
          <p>
            {t('audit.head')} <code>{status.head}</code>
          </p>
          {status.firstBadEntry !== undefined ? <pre>{JSON.stringify(status.firstBadEntry, null, 2)}</pre> : null}
        </div>
      ) : null}
      {busy ? <Busy label={t('audit.verifying')} /> : null}
      <div class="actions">
        <button type="button" onClick={() => void verify()} disabled={busy} data-testid="audit-verify">
          {t('audit.verify')}
        </button>
      </div>
      <ErrorNote message={error} />
    </section>
  );
}

interface Accuracy {
  readonly engine: Record<string, unknown>;
  readonly thresholds: ReadonlyArray<{ readonly targetFmr: number; readonly threshold: number }>;
  readonly det: readonly DetPoint[];
}

export function AccuracyPage({ call, engine }: { call: ConsoleCall; engine: { id: string; version: string } | undefined }) {
  const { data, error } = useLoad(() => call<Accuracy>('/v1/console/accuracy'));
  const width = 480;
  const height = 320;
  const pad = 48;
  const det = data && data.det.length > 0 ? detPath(data.det, width, height) : undefined;
  return (
    <section data-testid="page-accuracy">
      <StepHeading>{t('console.page.accuracy')}</StepHeading>
      {engine ? <p>{t('accuracy.active', { id: engine.id, version: engine.version })}</p> : null}
      <ErrorNote message={error} />
      {data ? (
        <>
          <h3 id="det-heading">{t('accuracy.detHeading')}</h3>
          {det ? (
            <svg class="chart" viewBox={`0 0 ${width + pad + 10} ${height + pad}`} role="img" aria-labelledby="det-heading det-desc" data-testid="det-chart">
              <desc id="det-desc">{t('accuracy.detDesc', { points: data.det.length })}</desc>
              <g transform={`translate(${pad},10)`}>
                <rect width={width} height={height} fill="none" stroke="#4a5260" />
                <path d={det.d} fill="none" stroke="#0b5cad" stroke-width="2.5" />
                {Array.from({ length: det.fmrRange[1] - det.fmrRange[0] + 1 }, (_, i) => (
                  <text key={`x${i}`} x={(i / Math.max(1, det.fmrRange[1] - det.fmrRange[0])) * width} y={height + 16} text-anchor="middle">
                    {`1e${det.fmrRange[0] + i}`}
                  </text>
                ))}
                {Array.from({ length: det.fnmrRange[1] - det.fnmrRange[0] + 1 }, (_, i) => (
                  <text key={`y${i}`} x={-6} y={height - (i / Math.max(1, det.fnmrRange[1] - det.fnmrRange[0])) * height + 4} text-anchor="end">
                    {`1e${det.fnmrRange[0] + i}`}
                  </text>
                ))}
                <text x={width / 2} y={height + 34} text-anchor="middle">
                  {t('accuracy.fmr')}
                </text>
              </g>
              <text x={12} y={height / 2} text-anchor="middle" transform={`rotate(-90 12 ${height / 2})`}>
                {t('accuracy.fnmr')}
              </text>
            </svg>
          ) : (
            <p>{t('accuracy.noDet')}</p>
          )}
          <h3>{t('accuracy.thresholdsHeading')}</h3>
          <Table headings={[t('accuracy.targetFmr'), t('accuracy.threshold')]} testId="thresholds">
            {data.thresholds.map((row) => (
              <tr key={row.targetFmr}>
                <td>{row.targetFmr.toExponential(0)}</td>
                <td>{row.threshold.toFixed(4)}</td>
              </tr>
            ))}
          </Table>
          <h3>{t('accuracy.provenanceHeading')}</h3>
          <pre tabIndex={0} aria-label={t('accuracy.provenanceHeading')} data-testid="engine-provenance">{JSON.stringify(data.engine, null, 2)}</pre>
        </>
      ) : null}
    </section>
  );
}
