import type { SqlDatabase } from '../store/sql/sql-database.js';
import { migrateTrack } from '../store/sql/sql-migrations.js';
import type { AuditData, AuditEntry, AuditHead } from './audit-entry.js';
import { isAuditEventType, type AuditEventType } from './audit-event-type.js';
import { AuditDataRefused } from './audit-errors.js';
import { AUDIT_MIGRATIONS, AUDIT_TRACK } from './audit-migrations.js';
import { assertAuditable } from './auditable-data.js';
import { auditEntryHash } from './entry-hash.js';
import { verifyAuditChain, type AuditChainResult } from './verify-chain.js';
import { MalformedAuditLine } from './audit-jsonl.js';

export interface AuditEvent {
  readonly type: AuditEventType;
  readonly tenantId: string | null;
  /** `key:<keyId>`, `terminal:<id>`, `system:retention`, … */
  readonly actor: string;
  /** Evidence: scores, thresholds, engine, device, policy decision. Never templates, images or card data. */
  readonly data: AuditData;
}

interface EntryRow {
  seq: number | string;
  at: string;
  type: string;
  tenant_id: string | null;
  actor: string;
  data: string;
  prev_hash: string;
  hash: string;
}

const COLUMNS = 'seq, at, type, tenant_id, actor, data, prev_hash, hash';
/** Bounds one transaction's size under a burst. */
const MAX_GROUP = 256;

/** The append-only, hash-chained audit trail, in the platform's SQL database (either dialect). */
export class AuditLog implements AsyncIterable<AuditEntry> {
  constructor(
    private readonly db: SqlDatabase,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  migrate(): Promise<void> {
    return migrateTrack(this.db, AUDIT_TRACK, AUDIT_MIGRATIONS);
  }

  /**
   * Throws AuditDataRefused, appending nothing, if the event could carry biometric or card data.
   * Appends that arrive while a commit is in flight are chained and committed together in the next
   * transaction (group commit): one synchronous disk write serves them all, each caller still
   * resolves only once its entry is durable.
   */
  async append(event: AuditEvent): Promise<AuditEntry> {
    // Callers holding only an AuditSink pass the type as a plain string.
    if (!isAuditEventType(event.type)) throw new AuditDataRefused(`unknown audit event type "${event.type}"`, { path: 'type' });
    assertAuditable(event.data, 'data');
    assertAuditable(event.actor, 'actor');
    assertAuditable(event.tenantId ?? null, 'tenantId');
    // Hash exactly what a reader will get back from the stored JSON text (undefined members dropped).
    const data = JSON.parse(JSON.stringify(event.data)) as AuditData;
    return new Promise<AuditEntry>((resolve, reject) => {
      this.waiting.push({ event: { ...event, data }, resolve, reject });
      if (this.committing) return;
      this.committing = true;
      // Wait for the end of this event-loop turn, so every request that arrived in it joins the
      // same commit: SQLite commits synchronously, and started at once each commit would hold one.
      setImmediate(() => void this.commitWaiting());
    });
  }

  private readonly waiting: Array<{ event: AuditEvent; resolve: (entry: AuditEntry) => void; reject: (error: unknown) => void }> = [];
  private committing = false;

  private async commitWaiting(): Promise<void> {
    try {
      while (this.waiting.length > 0) {
        const batch = this.waiting.splice(0, MAX_GROUP);
        try {
          const entries = await this.appendBatch(batch.map((w) => w.event));
          batch.forEach((w, i) => w.resolve(entries[i]!));
        } catch (error) {
          for (const w of batch) w.reject(error);
        }
      }
    } finally {
      this.committing = false;
    }
  }

  private appendBatch(events: readonly AuditEvent[]): Promise<AuditEntry[]> {
    return this.db.transaction(async (tx) => {
      // Advancing the head first takes the lock (SQLite already holds it from BEGIN IMMEDIATE), so
      // no other appender, in this process or another, can read the same head before we commit.
      const head = await tx.get<{ seq: number | string; hash: string }>(
        'UPDATE audit_head SET seq = seq + ? WHERE id = 1 RETURNING seq, hash',
        [events.length],
      );
      if (!head) throw new Error('audit_head has no row: run AuditLog.migrate() first');
      const at = this.clock().toISOString();
      let seq = Number(head.seq) - events.length;
      let prevHash = head.hash;
      const entries: AuditEntry[] = [];
      for (const event of events) {
        const fields = {
          seq: ++seq,
          at,
          type: event.type,
          tenantId: event.tenantId ?? null,
          actor: event.actor,
          data: event.data,
          prevHash,
        };
        const entry: AuditEntry = { ...fields, hash: auditEntryHash(fields) };
        await tx.run(`INSERT INTO audit_entries (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, [
          entry.seq,
          entry.at,
          entry.type,
          entry.tenantId,
          entry.actor,
          JSON.stringify(entry.data),
          entry.prevHash,
          entry.hash,
        ]);
        entries.push(entry);
        prevHash = entry.hash;
      }
      await tx.run('UPDATE audit_head SET hash = ? WHERE id = 1', [prevHash]);
      return entries;
    });
  }

  async head(): Promise<AuditHead> {
    const row = await this.db.get<{ seq: number | string; hash: string }>('SELECT seq, hash FROM audit_head WHERE id = 1');
    if (!row) throw new Error('audit_head has no row: run AuditLog.migrate() first');
    return { seq: Number(row.seq), hash: row.hash };
  }

  /** Entries in seq order, starting after `afterSeq`. */
  async entries({ afterSeq = 0, limit = 100 }: { afterSeq?: number; limit?: number } = {}): Promise<AuditEntry[]> {
    const rows = await this.db.all<EntryRow>(`SELECT ${COLUMNS} FROM audit_entries WHERE seq > ? ORDER BY seq LIMIT ?`, [afterSeq, limit]);
    return rows.map(toEntry);
  }

  /** Every entry after `afterSeq` up to `throughSeq`, a page at a time, so an export never holds the whole log. */
  async *iterate({
    afterSeq = 0,
    throughSeq = Number.MAX_SAFE_INTEGER,
    pageSize = 500,
  }: { afterSeq?: number; throughSeq?: number; pageSize?: number } = {}): AsyncGenerator<AuditEntry> {
    let after = afterSeq;
    for (;;) {
      const page = await this.entries({ afterSeq: after, limit: pageSize });
      for (const entry of page) {
        if (entry.seq > throughSeq) return;
        yield entry;
      }
      if (page.length < pageSize) return;
      after = page[page.length - 1]!.seq;
    }
  }

  /** One tenant's events of one type recorded at or after `since` (ISO-8601), oldest first. */
  async tenantEvents(tenantId: string, type: AuditEventType, since: string): Promise<AuditEntry[]> {
    const rows = await this.db.all<EntryRow>(
      `SELECT ${COLUMNS} FROM audit_entries WHERE tenant_id = ? AND type = ? AND at >= ? ORDER BY seq`,
      [tenantId, type, since],
    );
    return rows.map(toEntry);
  }

  /** Verifies the whole chain as stored now, against the recorded head (so a cut-off end shows too). */
  async verifyNow(): Promise<AuditChainResult> {
    const head = await this.head();
    return verifyAuditChain(this.storedRows(head.seq), { expectedHead: head });
  }

  /** Rows as stored, a page at a time; a row whose data no longer parses is reported, not thrown. */
  private async *storedRows(throughSeq: number, pageSize = 500): AsyncGenerator<AuditEntry | MalformedAuditLine> {
    let after = 0;
    for (;;) {
      const rows = await this.db.all<EntryRow>(`SELECT ${COLUMNS} FROM audit_entries WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?`, [
        after,
        throughSeq,
        pageSize,
      ]);
      for (const row of rows) {
        try {
          yield toEntry(row);
        } catch {
          yield new MalformedAuditLine('its data is not valid JSON', Number(row.seq));
        }
      }
      if (rows.length < pageSize) return;
      after = Number(rows[rows.length - 1]!.seq);
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<AuditEntry> {
    return this.iterate();
  }
}

function toEntry(row: EntryRow): AuditEntry {
  return {
    seq: Number(row.seq),
    at: row.at,
    // Stored by append(), which only takes AuditEventType; verification re-checks every field anyway.
    type: row.type as AuditEventType,
    tenantId: row.tenant_id,
    actor: row.actor,
    data: JSON.parse(row.data) as AuditData,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}
