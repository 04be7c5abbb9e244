import type { SqlDatabase } from '../store/sql/sql-database.js';
import { migrateTrack, type SqlMigration } from '../store/sql/sql-migrations.js';
import type { AuditSink } from '../audit/audit-sink.js';
import type { TemplateSpec } from '../templates/template.js';
import { UnknownEngine } from '../errors/domain-errors.js';
import { engineKey } from './engine-galleries.js';

export const TENANT_ENGINE_MIGRATIONS: readonly SqlMigration[] = [
  {
    version: 1,
    sql: `CREATE TABLE tenant_engines (
  tenant_id TEXT PRIMARY KEY,
  engine_id TEXT NOT NULL,
  engine_version TEXT NOT NULL,
  updated_at TEXT NOT NULL
);`,
  },
];

/** Where a tenant's active engine comes from: its own choice, or the platform's (FACEKEY_ENGINE). */
export type EngineChoiceSource = 'tenant' | 'platform';

export interface ActiveEngine {
  readonly engine: TemplateSpec;
  readonly source: EngineChoiceSource;
}

/**
 * Each tenant's active engine: the one it enrolls and searches with first. The platform default
 * applies unless an operator or the tenant's admin chose another of the engines the service runs;
 * read on every request, so a change applies at once on every node. A choice naming an engine the
 * service no longer runs falls back to the platform default rather than refusing every request.
 */
export class TenantEngines {
  constructor(
    private readonly db: SqlDatabase,
    /** The engines the service runs; the first is the platform default. */
    private readonly served: readonly TemplateSpec[],
    private readonly audit?: AuditSink,
    private readonly clock: () => Date = () => new Date(),
  ) {
    if (served.length === 0) throw new Error('TenantEngines needs at least the platform engine');
  }

  migrate(): Promise<void> {
    return migrateTrack(this.db, 'tenant_engines', TENANT_ENGINE_MIGRATIONS);
  }

  get platformDefault(): TemplateSpec {
    return this.served[0]!;
  }

  async activeFor(tenantId: string): Promise<ActiveEngine> {
    const row = await this.db.get<{ engine_id: string; engine_version: string }>(
      'SELECT engine_id, engine_version FROM tenant_engines WHERE tenant_id = ?',
      [tenantId],
    );
    const chosen = row && this.served.find((e) => e.id === row.engine_id && e.version === row.engine_version);
    return chosen ? { engine: chosen, source: 'tenant' } : { engine: this.platformDefault, source: 'platform' };
  }

  /**
   * Sets the tenant's engine (one the service runs; `null` returns it to the platform default) and
   * audits who did it and what it was before.
   */
  async set(tenantId: string, engineId: string | null, actor: string): Promise<ActiveEngine> {
    const before = await this.activeFor(tenantId);
    const engine = engineId === null ? undefined : this.served.find((e) => e.id === engineId);
    if (engineId !== null && !engine) {
      throw new UnknownEngine(`engine "${engineId}" is not run by this service; it runs: ${this.served.map((e) => e.id).join(', ')}`, {
        engine: engineId,
        available: this.served.map((e) => e.id),
      });
    }
    const at = this.clock().toISOString();
    await this.db.transaction(async (tx) => {
      await tx.run('DELETE FROM tenant_engines WHERE tenant_id = ?', [tenantId]);
      if (engine) {
        await tx.run('INSERT INTO tenant_engines (tenant_id, engine_id, engine_version, updated_at) VALUES (?, ?, ?, ?)', [
          tenantId,
          engine.id,
          engine.version,
          at,
        ]);
      }
    });
    const after = await this.activeFor(tenantId);
    await this.audit?.append({
      type: 'engine.selected',
      tenantId,
      actor,
      data: { from: engineKey(before.engine), to: engineKey(after.engine), source: after.source },
    });
    return after;
  }
}
