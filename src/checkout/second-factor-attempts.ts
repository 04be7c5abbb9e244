import type { BiometricService } from '../biometrics/biometric-service.js';
import type { FaceTemplate } from '../templates/template.js';
import type { PaymentStore, SecondFactorKind } from '../payments/payment-store.js';
import type { SecondFactorLookup } from '../payments/second-factor.js';
import type { RiskSettings } from './risk-policy.js';

export interface SecondFactorAttempt {
  readonly tenantId: string;
  readonly secondFactor: { readonly kind: SecondFactorKind; readonly value: string };
}

/**
 * Guessing limits for second factors in 1:N checkout, where no subject id names whose PIN is being
 * tried. A mismatch counts against every enrolled person the face itself matches (the person whose
 * PIN is being guessed, with a stolen template or photo) and against the (tenant, factor) value (one
 * PIN sprayed across many faces). Either reaching the tenant's maxSubjectFailures locks it for
 * lockoutSeconds: a locked subject is declined `subject_locked` even with the right PIN, a locked
 * factor value `second_factor_locked`.
 */
export class SecondFactorAttempts {
  constructor(
    private readonly payments: PaymentStore,
    private readonly lookups: SecondFactorLookup,
    private readonly biometrics: BiometricService,
    private readonly clock: () => Date,
  ) {}

  async factorLocked(attempt: SecondFactorAttempt): Promise<boolean> {
    const { lockedUntil } = await this.payments.failureState('second_factor', this.factorId(attempt));
    return lockedUntil !== null && lockedUntil > this.clock().toISOString();
  }

  /** Records a second factor that fitted none of the people the face matched. */
  async mismatched(attempt: SecondFactorAttempt, template: FaceTemplate | readonly FaceTemplate[], risk: RiskSettings): Promise<void> {
    const now = this.clock();
    const until = new Date(now.getTime() + risk.lockoutSeconds * 1000).toISOString();
    const at = now.toISOString();
    await this.payments.recordFailure('second_factor', this.factorId(attempt), risk.maxSubjectFailures, at, until);
    // search() answers only subjects above their own engine's calibrated threshold.
    const { candidates } = await this.biometrics.search(attempt.tenantId, template, risk.targetFmr);
    for (const { subjectId } of candidates.filter((c) => c.match)) {
      await this.payments.recordFailure('subject', subjectId, risk.maxSubjectFailures, at, until);
    }
  }

  /** Keyed lookup, never the digits: the counter table holds no PIN. */
  private factorId({ tenantId, secondFactor }: SecondFactorAttempt): string {
    return `${tenantId}:${secondFactor.kind}:${this.lookups.of(tenantId, secondFactor.kind, secondFactor.value)}`;
  }
}
