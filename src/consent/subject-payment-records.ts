/**
 * The payment records consent must erase and export with a subject (opt-out, retention, GDPR
 * Art. 15/20). Declared here so consent does not depend on the payments floor above it; the
 * payments store provides it.
 */
export interface SubjectPaymentRecords {
  /** Unlinks every network token and second factor of the subject. */
  eraseSubject(tenantId: string, subjectId: string): Promise<{ readonly tokensUnlinked: number }>;
  tokens(tenantId: string, subjectId: string): Promise<readonly unknown[]>;
  secondFactorKinds(tenantId: string, subjectId: string): Promise<readonly string[]>;
}
