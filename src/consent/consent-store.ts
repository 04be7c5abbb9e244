import { randomUUID } from 'node:crypto';
import type { SqlDatabase } from '../store/sql/sql-database.js';
import { migrateTrack } from '../store/sql/sql-migrations.js';
import { CONSENT_MIGRATIONS, CONSENT_TRACK } from './consent-migrations.js';
import type { ConsentPurpose } from './consent-texts.js';
import { camelRow } from '../store/sql/camel-row.js';

export interface Consent {
  readonly id: string;
  readonly tenantId: string;
  readonly subjectId: string | null;
  readonly textVersion: string;
  readonly textSha256: string;
  readonly purposes: readonly ConsentPurpose[];
  readonly jurisdiction: string;
  readonly deviceId: string;
  readonly grantedAt: string;
  readonly withdrawnAt: string | null;
  readonly lastActiveAt: string;
}

export type NewConsent = Omit<Consent, 'id' | 'subjectId' | 'withdrawnAt' | 'lastActiveAt'>;

export type ErasureReason = 'opt_out' | 'retention';

export interface ErasureReceipt {
  readonly id: string;
  readonly tenantId: string;
  readonly consentId: string;
  readonly subjectId: string | null;
  readonly reason: ErasureReason;
  readonly erasedAt: string;
  readonly templatesErased: number;
  readonly tokensUnlinked: number;
  readonly ordersErased: number;
}

interface ConsentRow {
  id: string;
  tenant_id: string;
  subject_id: string | null;
  text_version: string;
  text_sha256: string;
  purposes: string;
  jurisdiction: string;
  device_id: string;
  granted_at: string;
  withdrawn_at: string | null;
  last_active_at: string;
}

interface ErasureRow {
  id: string;
  tenant_id: string;
  consent_id: string;
  subject_id: string | null;
  reason: ErasureReason;
  erased_at: string;
  templates_erased: number;
  tokens_unlinked: number;
  orders_erased: number;
}

const COLUMNS =
  'id, tenant_id, subject_id, text_version, text_sha256, purposes, jurisdiction, device_id, granted_at, withdrawn_at, last_active_at';

/** Consent records and erasure receipts; like every store, another tenant's rows read as absent. */
export class ConsentStore {
  constructor(private readonly db: SqlDatabase) {}

  migrate(): Promise<void> {
    return migrateTrack(this.db, CONSENT_TRACK, CONSENT_MIGRATIONS);
  }

  async grant(consent: NewConsent): Promise<Consent> {
    const id = randomUUID();
    await this.db.run(`INSERT INTO consents (${COLUMNS}) VALUES (?, ?, NULL, ?, ?, ?, ?, ?, ?, NULL, ?)`, [
      id,
      consent.tenantId,
      consent.textVersion,
      consent.textSha256,
      JSON.stringify(consent.purposes),
      consent.jurisdiction,
      consent.deviceId,
      consent.grantedAt,
      consent.grantedAt,
    ]);
    return (await this.get(consent.tenantId, id))!;
  }

  async get(tenantId: string, id: string): Promise<Consent | undefined> {
    const row = await this.db.get<ConsentRow>(`SELECT ${COLUMNS} FROM consents WHERE tenant_id = ? AND id = ?`, [tenantId, id]);
    return row && toConsent(row);
  }

  async findBySubject(tenantId: string, subjectId: string): Promise<Consent | undefined> {
    const row = await this.db.get<ConsentRow>(`SELECT ${COLUMNS} FROM consents WHERE tenant_id = ? AND subject_id = ?`, [
      tenantId,
      subjectId,
    ]);
    return row && toConsent(row);
  }

  /** Binds an active, still unbound consent to the subject created under it; false otherwise. */
  async bindSubject(tenantId: string, consentId: string, subjectId: string): Promise<boolean> {
    const changed = await this.db.run(
      'UPDATE consents SET subject_id = ? WHERE tenant_id = ? AND id = ? AND subject_id IS NULL AND withdrawn_at IS NULL',
      [subjectId, tenantId, consentId],
    );
    return changed === 1;
  }

  /** Undoes bindSubject when creating the subject failed after it. */
  async unbindSubject(tenantId: string, consentId: string, subjectId: string): Promise<void> {
    await this.db.run('UPDATE consents SET subject_id = NULL WHERE tenant_id = ? AND id = ? AND subject_id = ?', [
      tenantId,
      consentId,
      subjectId,
    ]);
  }

  /** Removes purposes; withdrawing every purpose, or `payment`, is a full withdrawal. Returns the new state. */
  async withdraw(tenantId: string, id: string, purposes: readonly ConsentPurpose[] | 'all', at: string): Promise<Consent | undefined> {
    const consent = await this.get(tenantId, id);
    if (!consent) return undefined;
    const remaining = purposes === 'all' ? [] : consent.purposes.filter((p) => !purposes.includes(p));
    const full = remaining.length === 0 || !remaining.includes('payment');
    await this.db.run('UPDATE consents SET purposes = ?, withdrawn_at = COALESCE(withdrawn_at, ?) WHERE tenant_id = ? AND id = ?', [
      JSON.stringify(full ? consent.purposes : remaining),
      full ? at : null,
      tenantId,
      id,
    ]);
    return this.get(tenantId, id);
  }

  /**
   * Records activity at day granularity: retention is counted in days, and skipping the write on
   * every other payment of the day saves a synchronous commit per checkout.
   */
  async touch(tenantId: string, id: string, at: string): Promise<void> {
    const dayBefore = new Date(new Date(at).getTime() - 86_400_000).toISOString();
    await this.db.run('UPDATE consents SET last_active_at = ? WHERE tenant_id = ? AND id = ? AND last_active_at < ?', [
      at,
      tenantId,
      id,
      dayBefore,
    ]);
  }

  /**
   * Consents whose data must go: inactive since before `cutoff`, or withdrawn without an erasure
   * receipt (an opt-out interrupted by a crash is finished by the next sweep).
   */
  async dueForErasure(cutoff: string, limit: number): Promise<Consent[]> {
    const rows = await this.db.all<ConsentRow>(
      `SELECT ${COLUMNS.split(', ')
        .map((c) => `c.${c}`)
        .join(', ')} FROM consents c LEFT JOIN erasure_receipts e ON e.consent_id = c.id
       WHERE e.id IS NULL AND (c.withdrawn_at IS NOT NULL OR c.last_active_at < ?)
       ORDER BY c.last_active_at LIMIT ?`,
      [cutoff, limit],
    );
    return rows.map(toConsent);
  }

  /** Marks a consent withdrawn (if it is not yet) and stores its erasure receipt, once. */
  async recordErasure(receipt: Omit<ErasureReceipt, 'id'>): Promise<ErasureReceipt> {
    return this.db.transaction(async (tx) => {
      await tx.run('UPDATE consents SET withdrawn_at = COALESCE(withdrawn_at, ?) WHERE tenant_id = ? AND id = ?', [
        receipt.erasedAt,
        receipt.tenantId,
        receipt.consentId,
      ]);
      const existing = await tx.get<ErasureRow>('SELECT * FROM erasure_receipts WHERE consent_id = ?', [receipt.consentId]);
      if (existing) return toReceipt(existing);
      const id = randomUUID();
      await tx.run(
        `INSERT INTO erasure_receipts (id, tenant_id, consent_id, subject_id, reason, erased_at, templates_erased, tokens_unlinked, orders_erased)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          id,
          receipt.tenantId,
          receipt.consentId,
          receipt.subjectId,
          receipt.reason,
          receipt.erasedAt,
          receipt.templatesErased,
          receipt.tokensUnlinked,
          receipt.ordersErased,
        ],
      );
      return { id, ...receipt };
    });
  }

  async erasureReceipt(tenantId: string, consentId: string): Promise<ErasureReceipt | undefined> {
    const row = await this.db.get<ErasureRow>('SELECT * FROM erasure_receipts WHERE tenant_id = ? AND consent_id = ?', [
      tenantId,
      consentId,
    ]);
    return row && toReceipt(row);
  }
}

function toConsent(row: ConsentRow): Consent {
  const { purposes, ...columns } = row;
  return { ...camelRow(columns, CONSENT_FIELDS), purposes: JSON.parse(purposes) as ConsentPurpose[] };
}

const CONSENT_FIELDS = [
  'id',
  'tenant_id',
  'subject_id',
  'text_version',
  'text_sha256',
  'jurisdiction',
  'device_id',
  'granted_at',
  'withdrawn_at',
  'last_active_at',
] as const;

function toReceipt(row: ErasureRow): ErasureReceipt {
  return {
    ...camelRow(row, ['id', 'tenant_id', 'consent_id', 'subject_id', 'reason', 'erased_at']),
    templatesErased: Number(row.templates_erased),
    tokensUnlinked: Number(row.tokens_unlinked),
    ordersErased: Number(row.orders_erased),
  };
}
