/**
 * What the merchant console's overview shows: the gallery, subjects, terminals, and the tenant's
 * checkouts over the last days, read back from the audit trail (every checkout decision lands
 * there, with its outcome and reasons), so the figures are the ones an auditor would count.
 */
import type { AuditEntry } from '../audit/audit-entry.js';
import type { AuditEventType } from '../audit/audit-event-type.js';
import { InvalidArgument } from '../errors/domain-errors.js';

export const OVERVIEW_MAX_DAYS = 90;
export const OVERVIEW_DEFAULT_DAYS = 14;

export interface DeclineReasonCount {
  /** UTC day, YYYY-MM-DD. */
  readonly day: string;
  readonly reason: string;
  readonly count: number;
}

export interface MerchantOverview {
  readonly days: number;
  /** Templates searchable for the tenant, across the engines the service runs. */
  readonly gallerySize: number;
  readonly subjects: number;
  /** Terminals not revoked. */
  readonly terminals: number;
  readonly checkouts: {
    readonly total: number;
    readonly approved: number;
    readonly declined: number;
    readonly secondFactorRequired: number;
  };
  /** approved / total; null when there was no checkout in the period. */
  readonly approvalRate: number | null;
  /** Per day and reason; a declined checkout with two reasons counts once under each. */
  readonly declineReasons: readonly DeclineReasonCount[];
}

export interface MerchantOverviewSources {
  readonly audit: { tenantEvents(tenantId: string, type: AuditEventType, since: string): Promise<AuditEntry[]> };
  readonly store: { countSubjects(tenantId: string): Promise<number> };
  readonly galleries: { gallerySize(tenantId: string): number };
  readonly terminals: { list(tenantId: string): Promise<ReadonlyArray<{ revokedAt: string | null }>> };
  readonly clock?: () => Date;
}

const DAY_MS = 86_400_000;

export class MerchantOverviews {
  private readonly clock: () => Date;

  constructor(private readonly sources: MerchantOverviewSources) {
    this.clock = sources.clock ?? (() => new Date());
  }

  /** The last `days` UTC days, today included. */
  async overview(tenantId: string, days: number = OVERVIEW_DEFAULT_DAYS): Promise<MerchantOverview> {
    if (!Number.isInteger(days) || days < 1 || days > OVERVIEW_MAX_DAYS) {
      throw new InvalidArgument(`days must be an integer from 1 to ${OVERVIEW_MAX_DAYS}`);
    }
    const now = this.clock().getTime();
    const since = new Date(Math.floor(now / DAY_MS) * DAY_MS - (days - 1) * DAY_MS).toISOString();
    const [events, subjects, terminals] = await Promise.all([
      this.sources.audit.tenantEvents(tenantId, 'checkout', since),
      this.sources.store.countSubjects(tenantId),
      this.sources.terminals.list(tenantId),
    ]);
    const checkouts = { total: 0, approved: 0, declined: 0, secondFactorRequired: 0 };
    const reasons = new Map<string, DeclineReasonCount>();
    for (const event of events) {
      const outcome = event.data.outcome;
      checkouts.total++;
      if (outcome === 'approved') checkouts.approved++;
      else if (outcome === 'second_factor_required') checkouts.secondFactorRequired++;
      else if (outcome === 'declined') {
        checkouts.declined++;
        const day = event.at.slice(0, 10);
        const given = Array.isArray(event.data.reasons) ? event.data.reasons.filter((r): r is string => typeof r === 'string') : [];
        for (const reason of given.length > 0 ? given : ['unspecified']) {
          const key = `${day} ${reason}`;
          const counted = reasons.get(key);
          reasons.set(key, { day, reason, count: (counted?.count ?? 0) + 1 });
        }
      }
    }
    return {
      days,
      gallerySize: this.sources.galleries.gallerySize(tenantId),
      subjects,
      terminals: terminals.filter((t) => t.revokedAt === null).length,
      checkouts,
      approvalRate: checkouts.total === 0 ? null : checkouts.approved / checkouts.total,
      declineReasons: [...reasons.values()].sort(
        (a, b) => a.day.localeCompare(b.day) || b.count - a.count || a.reason.localeCompare(b.reason),
      ),
    };
  }
}
