import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Forbidden, Unauthorized } from '../errors/domain-errors.js';
import type { SqlDatabase } from '../store/sql/sql-database.js';
import type { AuditSink } from '../audit/audit-sink.js';
import type { ConsentService } from './consent-service.js';
import type { ConsentStore } from './consent-store.js';
import type { ConsentPurpose } from './consent-texts.js';
import type { ReceiptSigner } from './receipt-signer.js';
import type { PrivacyCodes } from './privacy-codes.js';

/** Fifteen minutes: long enough to read an export and decide, short enough for a shared computer. */
export const PRIVACY_SESSION_SECONDS = 900;

/** One answer for every failed sign-in (wrong, malformed or erased code): which one it was is nobody's business. */
const SIGN_IN_FAILED = 'the privacy code was not accepted';
/** And one for every session that is not (or no longer) valid. */
const NOT_SIGNED_IN = 'not signed in to the privacy portal, or the session expired';

export interface PrivacySession {
  readonly tenantId: string;
  readonly subjectId: string;
  /** SHA-256 of the session id: the store's key. */
  readonly idHash: string;
  readonly csrfHash: string;
  readonly expiresAt: string;
}

export interface PrivacySignIn {
  /** Goes into the httpOnly cookie; stored only as its hash. */
  readonly sessionId: string;
  /** Sent back in `x-csrf-token` with every change; stored only as its hash. */
  readonly csrfToken: string;
  readonly expiresAt: string;
}

export interface ReceiptItem {
  readonly kind: 'consent' | 'withdrawal' | 'erasure';
  readonly consentId: string;
  /** The signed receipt (JWS, verifiable with /.well-known/jwks.json). */
  readonly jws: string;
}

export interface PrivacyPortalDeps {
  readonly db: SqlDatabase;
  readonly codes: PrivacyCodes;
  readonly consent: ConsentService;
  readonly consents: ConsentStore;
  readonly receipts: ReceiptSigner;
  readonly audit: AuditSink;
  readonly clock?: () => Date;
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('base64url');

/**
 * The consumer's own door (GDPR Art. 15–17 without the merchant in between): sign in with the
 * privacy code from the consent receipt, see the export, fetch signed receipts, withdraw a purpose
 * or leave entirely. Sessions live server-side, keyed by a hash of their id, and expire.
 */
export class PrivacyPortal {
  private readonly clock: () => Date;

  constructor(private readonly deps: PrivacyPortalDeps) {
    this.clock = deps.clock ?? (() => new Date());
  }

  async signIn(code: string): Promise<PrivacySignIn> {
    const owner = await this.deps.codes.owner(code);
    if (!owner) throw new Unauthorized(SIGN_IN_FAILED);
    const sessionId = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(24).toString('base64url');
    const now = this.clock();
    const expiresAt = new Date(now.getTime() + PRIVACY_SESSION_SECONDS * 1000).toISOString();
    await this.deps.db.run(
      'INSERT INTO privacy_sessions (id_hash, tenant_id, subject_id, csrf_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)',
      [sha256(sessionId), owner.tenantId, owner.subjectId, sha256(csrfToken), now.toISOString(), expiresAt],
    );
    await this.deps.audit.append({ type: 'privacy.signed_in', tenantId: owner.tenantId, actor: 'subject:privacy-portal', data: { subjectId: owner.subjectId } });
    return { sessionId, csrfToken, expiresAt };
  }

  /** The session a cookie names; Unauthorized when there is none, it expired, or its subject was erased. */
  async session(sessionId: string | undefined): Promise<PrivacySession> {
    if (!sessionId) throw new Unauthorized(NOT_SIGNED_IN);
    const row = await this.deps.db.get<{ id_hash: string; tenant_id: string; subject_id: string; csrf_hash: string; expires_at: string }>(
      'SELECT id_hash, tenant_id, subject_id, csrf_hash, expires_at FROM privacy_sessions WHERE id_hash = ? AND expires_at > ?',
      [sha256(sessionId), this.clock().toISOString()],
    );
    if (!row) throw new Unauthorized(NOT_SIGNED_IN);
    return { idHash: row.id_hash, tenantId: row.tenant_id, subjectId: row.subject_id, csrfHash: row.csrf_hash, expiresAt: row.expires_at };
  }

  async exportData(sessionId: string | undefined): Promise<Record<string, unknown>> {
    const { tenantId, subjectId } = await this.session(sessionId);
    return this.deps.consent.exportData(tenantId, subjectId);
  }

  /** The consent receipt (re-signed over the consent as it stands), and the withdrawal and erasure receipts when there are. */
  async receipts(sessionId: string | undefined): Promise<{ items: ReceiptItem[] }> {
    const { tenantId, subjectId } = await this.session(sessionId);
    const consent = await this.deps.consent.consentOfSubject(tenantId, subjectId);
    const items: ReceiptItem[] = [{ kind: 'consent', consentId: consent.id, jws: await this.deps.receipts.consent(consent, consent.textSha256) }];
    if (consent.withdrawnAt) items.push({ kind: 'withdrawal', consentId: consent.id, jws: await this.deps.receipts.withdrawal(consent) });
    const erasure = await this.deps.consents.erasureReceipt(tenantId, consent.id);
    if (erasure) items.push({ kind: 'erasure', consentId: consent.id, jws: await this.deps.receipts.erasure(erasure) });
    return { items };
  }

  /**
   * Withdraws some purposes, or all (then the subject is erased at once and the erasure receipt
   * comes back: the last thing the portal can show, since the code is erased with the subject).
   */
  async optOut(sessionId: string | undefined, csrfToken: string | undefined, purposes: readonly ConsentPurpose[] | 'all') {
    const session = await this.changing(sessionId, csrfToken);
    return this.deps.consent.optOut(session.tenantId, 'subject:privacy-portal', session.subjectId, purposes);
  }

  async signOut(sessionId: string | undefined, csrfToken: string | undefined): Promise<void> {
    const session = await this.changing(sessionId, csrfToken);
    await this.deps.db.run('DELETE FROM privacy_sessions WHERE id_hash = ?', [session.idHash]);
    await this.deps.audit.append({ type: 'privacy.signed_out', tenantId: session.tenantId, actor: 'subject:privacy-portal', data: { subjectId: session.subjectId } });
  }

  /** Erasure ends every portal session of the subject. */
  eraseSubject(tenantId: string, subjectId: string): Promise<number> {
    return this.deps.db.run('DELETE FROM privacy_sessions WHERE tenant_id = ? AND subject_id = ?', [tenantId, subjectId]);
  }

  purgeExpired(now: Date = this.clock()): Promise<number> {
    return this.deps.db.run('DELETE FROM privacy_sessions WHERE expires_at < ?', [now.toISOString()]);
  }

  /** A change needs the session and its CSRF token: a cookie a cross-site form rides on is not enough. */
  private async changing(sessionId: string | undefined, csrfToken: string | undefined): Promise<PrivacySession> {
    const session = await this.session(sessionId);
    const given = Buffer.from(sha256(csrfToken ?? ''));
    const expected = Buffer.from(session.csrfHash);
    if (!csrfToken || given.length !== expected.length || !timingSafeEqual(given, expected))
      throw new Forbidden('this change needs the x-csrf-token header of the privacy session');
    return session;
  }
}
