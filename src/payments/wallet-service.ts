import { NotFound } from '../errors/domain-errors.js';
import type { AuditSink } from '../audit/audit-sink.js';
import type { Consent } from '../consent/consent-store.js';
import type { ConsentPurpose } from '../consent/consent-texts.js';
import type { PaymentStore, SecondFactorKind } from './payment-store.js';
import type { SecondFactorLookup } from './second-factor.js';

/** What the wallet needs from consent: the subject's consent, and the check that it is active for a purpose. */
export interface WalletConsent {
  consentOfSubject(tenantId: string, subjectId: string): Promise<Consent>;
  requireActive(tenantId: string, consentId: string, purpose: ConsentPurpose): Promise<Consent>;
}

export interface WalletServiceDeps {
  readonly consent: WalletConsent;
  readonly payments: PaymentStore;
  readonly secondFactors: SecondFactorLookup;
  readonly audit: AuditSink;
  readonly clock?: () => Date;
}

/**
 * The consumer's means of payment: network tokens linked to a subject, and the second factor that
 * narrows a checkout to the people it fits. Only for a subject with a consent; linking a token
 * needs an active `payment` consent.
 */
export class WalletService {
  private readonly clock: () => Date;

  constructor(private readonly deps: WalletServiceDeps) {
    this.clock = deps.clock ?? (() => new Date());
  }

  async linkToken(tenantId: string, actor: string, subjectId: string, tokenRef: string): Promise<void> {
    const consent = await this.deps.consent.consentOfSubject(tenantId, subjectId);
    await this.deps.consent.requireActive(tenantId, consent.id, 'payment');
    await this.deps.payments.linkToken(tenantId, subjectId, tokenRef, this.now());
    await this.deps.audit.append({ type: 'token.linked', tenantId, actor, data: { subjectId } });
  }

  async unlinkToken(tenantId: string, actor: string, subjectId: string, tokenRef: string): Promise<void> {
    await this.deps.consent.consentOfSubject(tenantId, subjectId);
    if (!(await this.deps.payments.unlinkToken(tenantId, subjectId, tokenRef))) throw new NotFound('token not linked to this subject');
    await this.deps.audit.append({ type: 'token.unlinked', tenantId, actor, data: { subjectId } });
  }

  async setSecondFactor(tenantId: string, subjectId: string, kind: SecondFactorKind, value: string): Promise<void> {
    await this.deps.consent.consentOfSubject(tenantId, subjectId);
    await this.deps.payments.setSecondFactor(tenantId, subjectId, kind, this.deps.secondFactors.of(tenantId, kind, value), this.now());
  }

  private now(): string {
    return this.clock().toISOString();
  }
}
