/**
 * The merchant console: signs in with an API key for a server-side session (cookie), keeps the
 * CSRF token in memory only (a reload signs in again), and sends it on every write.
 */
import { useState } from 'preact/hooks';
import { apiJson, type JsonRequest, type WebConfig } from '../shared/api';
import { t } from '../shared/i18n';
import { ErrorNote, Field, Page, StepHeading } from '../shared/ui';
import { AccuracyPage, AuditPage, OverviewPage, RiskPolicyPage, SubjectsPage, TerminalsPage } from './pages';
import { useAction } from '../shared/use-action';
import { FleetPage } from './fleet-page';

export interface ConsoleSession {
  readonly csrfToken: string;
  readonly tenantId: string;
  readonly scopes: readonly string[];
  readonly expiresAt: string;
}

/** Calls as the signed-in merchant: the cookie rides along, writes carry the CSRF token. */
export type ConsoleCall = <T>(path: string, request?: JsonRequest) => Promise<T>;

const PAGES = ['overview', 'terminals', 'fleet', 'subjects', 'risk', 'audit', 'accuracy'] as const;
type PageName = (typeof PAGES)[number];

function pageFromHash(): PageName {
  const name = location.hash.replace(/^#/, '');
  return (PAGES as readonly string[]).includes(name) ? (name as PageName) : 'overview';
}

export function ConsoleApp({ config }: { config: WebConfig | undefined }) {
  const [session, setSession] = useState<ConsoleSession>();
  const [page, setPage] = useState<PageName>(pageFromHash);

  if (!session) return <SignIn onSession={setSession} />;

  const call: ConsoleCall = (path, request = {}) => {
    const write = (request.method ?? (request.json === undefined ? 'GET' : 'POST')) !== 'GET';
    return apiJson(path, write ? { ...request, csrfToken: session.csrfToken } : request);
  };

  const signOut = async () => {
    await call('/v1/console/sessions/current', { method: 'DELETE' }).catch(() => undefined);
    setSession(undefined);
  };

  const go = (name: PageName) => {
    setPage(name);
    history.replaceState(null, '', `#${name}`);
  };

  return (
    <Page
      title={t('console.title')}
      aside={
        <nav aria-label={t('console.nav')}>
          {PAGES.map((name) => (
            <button type="button" key={name} aria-current={page === name ? 'page' : undefined} onClick={() => go(name)} data-testid={`nav-${name}`}>
              {t(`console.page.${name}`)}
            </button>
          ))}
          <button type="button" onClick={() => void signOut()} data-testid="sign-out">
            {t('console.signOut')}
          </button>
        </nav>
      }
    >
      <p class="hint" data-testid="tenant">
        {t('console.tenant', { tenant: session.tenantId })}
      </p>
      {page === 'overview' ? (
        <OverviewPage call={call} />
      ) : page === 'terminals' ? (
        <TerminalsPage call={call} />
      ) : page === 'fleet' ? (
        <FleetPage call={call} />
      ) : page === 'subjects' ? (
        <SubjectsPage call={call} />
      ) : page === 'risk' ? (
        <RiskPolicyPage call={call} />
      ) : page === 'audit' ? (
        <AuditPage call={call} />
      ) : (
        <AccuracyPage call={call} engine={config?.engine} />
      )}
    </Page>
  );
}

function SignIn({ onSession }: { onSession: (session: ConsoleSession) => void }) {
  const [apiKey, setApiKey] = useState('');
  const { busy, error, run } = useAction();
  const signIn = () => run(async () => onSession(await apiJson<ConsoleSession>('/v1/console/sessions', { json: { apiKey: apiKey.trim() } })));
  return (
    <Page title={t('console.title')}>
      <section data-testid="console-sign-in">
        <StepHeading>{t('console.signInHeading')}</StepHeading>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void signIn();
          }}
        >
          <Field id="api-key" label={t('console.apiKey')} hint={t('console.apiKeyHint')}>
            <input id="api-key" type="password" autoComplete="off" required value={apiKey} onInput={(e) => setApiKey(e.currentTarget.value)} aria-describedby="api-key-hint" data-testid="api-key" />
          </Field>
          <div class="actions">
            <button type="submit" disabled={busy || !apiKey.trim()} data-testid="sign-in">
              {t('console.signIn')}
            </button>
          </div>
        </form>
        <ErrorNote message={error} />
      </section>
    </Page>
  );
}
