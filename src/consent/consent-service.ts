import { ConsentMissing, InvalidArgument, NotFound } from '../errors/domain-errors.js';
import type { BiometricStore, Subject } from '../store/biometric-store.js';
import type { BiometricService } from '../biometrics/biometric-service.js';
import type { OrderHistory } from '../personalization/order-history.js';
import type { AuditSink } from '../audit/audit-sink.js';
import type { ConsentStore, Consent, ErasureReason, ErasureReceipt } from './consent-store.js';
import { consentText, consentTextDigest, type ConsentPurpose } from './consent-texts.js';
import type { ReceiptSigner } from './receipt-signer.js';
import { requireActiveConsent } from './require-active-consent.js';
import type { SubjectPaymentRecords } from './subject-payment-records.js';

export interface ConsentGrant {
  readonly textVersion: string;
  readonly purposes: readonly ConsentPurpose[];
  readonly jurisdiction: string;
  readonly deviceId: string;
}

/** A store of records about a subject that erasure must also delete. */
export interface SubjectRecordEraser {
  eraseSubject(tenantId: string, subjectId: string): Promise<unknown>;
}

export interface ConsentServiceDeps {
  readonly consents: ConsentStore;
  readonly store: BiometricStore;
  readonly biometrics: BiometricService;
  readonly payments: SubjectPaymentRecords;
  readonly orders: OrderHistory;
  readonly audit: AuditSink;
  readonly receipts: ReceiptSigner;
  /**
   * Other records that name a subject and go with it on erasure: its privacy code and portal
   * sessions, the kiosk enrollment record. A code that outlived its subject would be a dangling
   * identifier of a person who asked to be forgotten.
   */
  readonly subjectRecords?: readonly SubjectRecordEraser[];
  /** Inactive enrollments are erased after this many days. */
  readonly retentionDays: number;
  readonly clock?: () => Date;
}

/**
 * The consumer's side of the platform: opt-in (a consent receipt per purpose), the subject bound to
 * it, opt-out with immediate erasure and its receipt,
 * data export (GDPR Art. 15/20) and the retention sweep.
 */
export class ConsentService {
  private readonly clock: () => Date;

  constructor(private readonly deps: ConsentServiceDeps) {
    this.clock = deps.clock ?? (() => new Date());
  }

  /** The consent and its receipt: a JWS the consumer keeps as proof of what they agreed to. */
  async grant(tenantId: string, actor: string, grant: ConsentGrant): Promise<Consent & { receipt: string }> {
    const text = consentText(grant.textVersion);
    if (!text) throw new InvalidArgument(`unknown consent text version "${grant.textVersion}"`);
    if (!text.jurisdictions.includes(grant.jurisdiction)) {
      throw new InvalidArgument(`consent text ${text.version} does not apply in jurisdiction ${grant.jurisdiction}`);
    }
    const purposes = [...new Set(grant.purposes)].sort();
    const consent = await this.deps.consents.grant({
      tenantId,
      textVersion: text.version,
      textSha256: consentTextDigest(text),
      purposes,
      jurisdiction: grant.jurisdiction,
      deviceId: grant.deviceId,
      grantedAt: this.now(),
    });
    await this.deps.audit.append({
      type: 'consent.granted',
      tenantId,
      actor,
      data: { consentId: consent.id, textVersion: text.version, purposes, jurisdiction: grant.jurisdiction, deviceId: grant.deviceId },
    });
    return { ...consent, receipt: await this.deps.receipts.consent(consent, consent.textSha256) };
  }

  async get(tenantId: string, consentId: string): Promise<Consent> {
    const consent = await this.deps.consents.get(tenantId, consentId);
    if (!consent) throw new NotFound('consent not found');
    return consent;
  }

  /** A subject exists only under an active `payment` consent of its own tenant, one subject per consent. */
  async createSubject(tenantId: string, actor: string, input: { externalRef: string; consentId: string }): Promise<Subject> {
    await this.requireActive(tenantId, input.consentId, 'payment');
    const subject = await this.deps.store.createSubject({ tenantId, ...input });
    if (!(await this.deps.consents.bindSubject(tenantId, input.consentId, subject.id))) {
      await this.deps.store.deleteSubject(tenantId, subject.id);
      throw new ConsentMissing('this consent is withdrawn or already bound to another subject');
    }
    await this.deps.audit.append({ type: 'subject.created', tenantId, actor, data: { subjectId: subject.id, consentId: input.consentId } });
    return subject;
  }

  /** Throws ConsentMissing unless the consent exists in the tenant, is not withdrawn and covers `purpose`. */
  requireActive(tenantId: string, consentId: string, purpose: ConsentPurpose): Promise<Consent> {
    return requireActiveConsent(this.deps.consents, tenantId, consentId, purpose);
  }

  async consentOfSubject(tenantId: string, subjectId: string): Promise<Consent> {
    const bound = await this.deps.consents.findBySubject(tenantId, subjectId);
    if (bound) return bound;
    // A crash between creating the subject and binding its consent leaves the binding undone;
    // the subject row names its consent, so the binding is completed here instead of lost.
    const subject = await this.deps.store.getSubject(tenantId, subjectId);
    if (!subject) throw new NotFound('subject not found');
    await this.deps.consents.bindSubject(tenantId, subject.consentId, subjectId);
    const repaired = await this.deps.consents.findBySubject(tenantId, subjectId);
    if (!repaired) throw new ConsentMissing('the subject has no consent record');
    return repaired;
  }

  /** Activity keeps an enrollment from the retention sweep. */
  async touch(tenantId: string, consentId: string): Promise<void> {
    await this.deps.consents.touch(tenantId, consentId, this.now());
  }

  /**
   * Opt-out. Withdrawing `payment` (or everything) erases at once: the subject's data key and
   * templates (crypto-shredding), token links, second factors and order history, then issues the
   * erasure receipt. Withdrawing only `personalization` erases the order history and keeps paying.
   * The consent is marked withdrawn first, so a crash part-way leaves nothing usable, and the next
   * retention sweep finishes the erasure.
   */
  async optOut(
    tenantId: string,
    actor: string,
    subjectId: string,
    purposes: readonly ConsentPurpose[] | 'all' = 'all',
  ): Promise<{ consent: Consent; erasure: (ErasureReceipt & { receipt: string }) | null; ordersErased: number }> {
    const consent = await this.consentOfSubject(tenantId, subjectId);
    const updated = (await this.deps.consents.withdraw(tenantId, consent.id, purposes, this.now()))!;
    await this.deps.audit.append({
      type: 'consent.withdrawn',
      tenantId,
      actor,
      data: { consentId: consent.id, subjectId, purposes: purposes === 'all' ? 'all' : [...purposes] },
    });
    if (!updated.withdrawnAt) {
      const ordersErased = updated.purposes.includes('personalization') ? 0 : await this.deps.orders.erase(tenantId, subjectId);
      return { consent: updated, erasure: null, ordersErased };
    }
    const erasure = await this.erase(updated, 'opt_out', actor);
    return {
      consent: updated,
      erasure: { ...erasure, receipt: await this.deps.receipts.erasure(erasure) },
      ordersErased: erasure.ordersErased,
    };
  }

  /** Art. 15/20: everything held about the person, biometrics only as a count. */
  async exportData(tenantId: string, subjectId: string): Promise<Record<string, unknown>> {
    const consent = await this.consentOfSubject(tenantId, subjectId);
    const subject = await this.deps.store.getSubject(tenantId, subjectId);
    const templates = subject ? await this.deps.store.listTemplates(tenantId, subjectId) : [];
    const byEngine: Record<string, number> = {};
    for (const t of templates) byEngine[`${t.engineId}@${t.engineVersion}`] = (byEngine[`${t.engineId}@${t.engineVersion}`] ?? 0) + 1;
    return {
      exportedAt: this.now(),
      subject: subject ?? null,
      consent,
      consentText: consentText(consent.textVersion)?.text ?? null,
      biometricTemplates: { count: templates.length, byEngine, note: 'templates are biometric data and are not exported' },
      retainedImages: {
        count: subject ? await this.deps.store.countRetainedImages(tenantId, subjectId) : 0,
        note: "enrollment photos kept for a limited time under the operator's retention setting; biometric data, not exported",
      },
      paymentTokens: await this.deps.payments.tokens(tenantId, subjectId),
      secondFactors: await this.deps.payments.secondFactorKinds(tenantId, subjectId),
      orders: await this.deps.orders.orders(tenantId, subjectId),
      erasure: (await this.deps.consents.erasureReceipt(tenantId, consent.id)) ?? null,
    };
  }

  /** Erases inactive enrollments and finishes interrupted opt-outs; returns the receipts issued. */
  async sweepRetention(limit = 500): Promise<ErasureReceipt[]> {
    const cutoff = new Date(this.clock().getTime() - this.deps.retentionDays * 86_400_000).toISOString();
    const receipts: ErasureReceipt[] = [];
    for (const consent of await this.deps.consents.dueForErasure(cutoff, limit)) {
      receipts.push(await this.erase(consent, consent.withdrawnAt ? 'opt_out' : 'retention', 'system:retention'));
    }
    return receipts;
  }

  private async erase(consent: Consent, reason: ErasureReason, actor: string): Promise<ErasureReceipt> {
    const { tenantId } = consent;
    let templatesErased = 0;
    let tokensUnlinked = 0;
    let ordersErased = 0;
    if (consent.subjectId) {
      const subjectId = consent.subjectId;
      templatesErased = (await this.deps.store.listTemplates(tenantId, subjectId).catch(() => [])).length;
      await this.deps.biometrics.deleteSubject(tenantId, subjectId);
      ({ tokensUnlinked } = await this.deps.payments.eraseSubject(tenantId, subjectId));
      ordersErased = await this.deps.orders.erase(tenantId, subjectId);
      for (const records of this.deps.subjectRecords ?? []) await records.eraseSubject(tenantId, subjectId);
    }
    const receipt = await this.deps.consents.recordErasure({
      tenantId,
      consentId: consent.id,
      subjectId: consent.subjectId,
      reason,
      erasedAt: this.now(),
      templatesErased,
      tokensUnlinked,
      ordersErased,
    });
    await this.deps.audit.append({
      type: reason === 'retention' ? 'retention.erased' : 'subject.erased',
      tenantId,
      actor,
      data: { consentId: consent.id, subjectId: consent.subjectId, templatesErased, tokensUnlinked, ordersErased, receiptId: receipt.id },
    });
    return receipt;
  }

  private now(): string {
    return this.clock().toISOString();
  }
}
