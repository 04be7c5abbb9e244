/**
 * The fleet page: devices with their presence and engine, one device's twin and connection log,
 * claims, jobs and rollouts, and fever alerts. Everything goes through the public fleet API as the
 * signed-in merchant; an action is offered only where the API would accept it (no revoke of a
 * revoked claim, no cancel of a finished job, no second outcome for an alert).
 */
import { t } from '../shared/i18n';
import { StepHeading } from '../shared/ui';
import type { ConsoleCall } from './console-app';
import { DevicesSection } from './fleet-devices';
import { ClaimsSection } from './fleet-claims';
import { JobsSection } from './fleet-jobs';
import { FeverSection } from './fleet-fever';

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
