import { InvalidArgument } from '../errors/domain-errors.js';
import type { SqlDatabase } from '../store/sql/sql-database.js';
import type { AuditSink } from '../audit/audit-sink.js';
import { DEFAULT_RISK_SETTINGS, type RiskSettings } from './risk-policy.js';

/** What a tenant may set, and within which bounds: a merchant tunes its own risk, never past these. */
type NumericSetting = { [K in keyof RiskSettings]: RiskSettings[K] extends number ? K : never }[keyof RiskSettings];
type SwitchSetting = Exclude<keyof RiskSettings, NumericSetting>;

const BOUNDS: Record<NumericSetting, { min: number; max: number; integer: boolean }> = {
  riskBudget: { min: 1e-6, max: 1, integer: false },
  faceOnlyAmountLimit: { min: 0, max: 100_000_000, integer: true },
  maxSubjectFailures: { min: 1, max: 100, integer: true },
  maxTerminalFailures: { min: 1, max: 10_000, integer: true },
  lockoutSeconds: { min: 60, max: 7 * 86_400, integer: true },
  // The calibration table is measured from 1e-2 down to 1e-6 (extrapolated there); nothing looser than 1e-3 for payments.
  targetFmr: { min: 1e-6, max: 1e-3, integer: false },
};

/** On/off settings: true or false, nothing else. */
const SWITCHES: Record<SwitchSetting, true> = { allowSessionlessLiveness: true };

/**
 * Each tenant's risk policy: the platform defaults (from configuration) with the tenant's own
 * overrides, read on every checkout so a change applies at once on every node.
 */
export class RiskPolicies {
  constructor(
    private readonly db: SqlDatabase,
    private readonly defaults: RiskSettings = DEFAULT_RISK_SETTINGS,
    private readonly audit?: AuditSink,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async forTenant(tenantId: string): Promise<RiskSettings> {
    const row = await this.db.get<{ settings: string }>('SELECT settings FROM tenant_risk_policies WHERE tenant_id = ?', [tenantId]);
    return { ...this.defaults, ...(row ? (JSON.parse(row.settings) as Partial<RiskSettings>) : {}) };
  }

  /** Replaces the tenant's overrides (an empty object returns it to the defaults); returns the policy in force. */
  async set(tenantId: string, overrides: Partial<RiskSettings>, actor: string): Promise<RiskSettings> {
    const problems: string[] = [];
    for (const [key, value] of Object.entries(overrides)) {
      if (Object.hasOwn(SWITCHES, key)) {
        if (typeof value !== 'boolean') problems.push(`${key} must be true or false`);
        continue;
      }
      const bound = Object.hasOwn(BOUNDS, key) ? BOUNDS[key as NumericSetting] : undefined;
      if (!bound) problems.push(`unknown setting "${key}"`);
      else if (
        typeof value !== 'number' ||
        !Number.isFinite(value) ||
        value < bound.min ||
        value > bound.max ||
        (bound.integer && !Number.isInteger(value))
      )
        problems.push(`${key} must be ${bound.integer ? 'an integer' : 'a number'} from ${bound.min} to ${bound.max}`);
    }
    if (problems.length > 0) throw new InvalidArgument(`invalid risk policy: ${problems.join('; ')}`, { problems });
    const at = this.clock().toISOString();
    await this.db.transaction(async (tx) => {
      await tx.run('DELETE FROM tenant_risk_policies WHERE tenant_id = ?', [tenantId]);
      await tx.run('INSERT INTO tenant_risk_policies (tenant_id, settings, updated_at) VALUES (?, ?, ?)', [
        tenantId,
        JSON.stringify(overrides),
        at,
      ]);
    });
    await this.audit?.append({ type: 'risk_policy.changed', tenantId, actor, data: { ...overrides } });
    return this.forTenant(tenantId);
  }
}
