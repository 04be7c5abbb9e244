import { randomUUID } from 'node:crypto';
import type { SqlDatabase } from '../store/sql/sql-database.js';
import { migrateTrack, type SqlMigration } from '../store/sql/sql-migrations.js';

export interface OrderItem {
  readonly sku: string;
  readonly name: string;
  readonly quantity: number;
}

export interface PastOrder {
  readonly items: readonly OrderItem[];
  readonly at: string;
}

export interface Usual {
  readonly lastOrder: PastOrder | null;
  /** The most often bought items, most frequent first. */
  readonly favourites: ReadonlyArray<{ sku: string; name: string; times: number }>;
}

const MIGRATIONS: readonly SqlMigration[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE personalization_orders (
        id TEXT PRIMARY KEY,
        tenant_id TEXT NOT NULL,
        subject_id TEXT NOT NULL,
        items TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE INDEX personalization_orders_by_subject ON personalization_orders (tenant_id, subject_id, created_at)
    `,
  },
];

const KEEP_ORDERS = 50;

/**
 * Orders per consumer and merchant, kept only for consumers who granted the `personalization`
 * purpose (the caller checks; this store never decides consent), and only the last 50.
 */
export class OrderHistory {
  constructor(private readonly db: SqlDatabase) {}

  migrate(): Promise<void> {
    return migrateTrack(this.db, 'personalization', MIGRATIONS);
  }

  async record(tenantId: string, subjectId: string, items: readonly OrderItem[], at: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.run('INSERT INTO personalization_orders (id, tenant_id, subject_id, items, created_at) VALUES (?, ?, ?, ?, ?)', [
        randomUUID(),
        tenantId,
        subjectId,
        JSON.stringify(items),
        at,
      ]);
      await tx.run(
        `DELETE FROM personalization_orders WHERE tenant_id = ? AND subject_id = ? AND id NOT IN (
           SELECT id FROM personalization_orders WHERE tenant_id = ? AND subject_id = ? ORDER BY created_at DESC, id LIMIT ?)`,
        [tenantId, subjectId, tenantId, subjectId, KEEP_ORDERS],
      );
    });
  }

  async orders(tenantId: string, subjectId: string): Promise<PastOrder[]> {
    const rows = await this.db.all<{ items: string; created_at: string }>(
      'SELECT items, created_at FROM personalization_orders WHERE tenant_id = ? AND subject_id = ? ORDER BY created_at DESC, id',
      [tenantId, subjectId],
    );
    return rows.map((r) => ({ items: JSON.parse(r.items) as OrderItem[], at: r.created_at }));
  }

  async usual(tenantId: string, subjectId: string): Promise<Usual> {
    const orders = await this.orders(tenantId, subjectId);
    const counts = new Map<string, { sku: string; name: string; times: number }>();
    for (const order of orders) {
      for (const item of order.items) {
        const seen = counts.get(item.sku) ?? { sku: item.sku, name: item.name, times: 0 };
        seen.times += item.quantity;
        counts.set(item.sku, seen);
      }
    }
    const favourites = [...counts.values()].sort((a, b) => b.times - a.times || a.sku.localeCompare(b.sku)).slice(0, 3);
    return { lastOrder: orders[0] ?? null, favourites };
  }

  async erase(tenantId: string, subjectId: string): Promise<number> {
    return this.db.run('DELETE FROM personalization_orders WHERE tenant_id = ? AND subject_id = ?', [tenantId, subjectId]);
  }
}
