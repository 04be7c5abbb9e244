/**
 * Body-temperature scanner events and the fever flow. A reading is only a measurement when the
 * frame held exactly one person; at or above the alarm threshold (the device's twin setting, else
 * the device's own) it raises an alert to the site's staff on their MQTT topic and the webhook.
 * The temperature value lives only as long as the alert: it is erased when staff record the
 * secondary-check outcome or when the alert expires, whichever comes first; the outcome is kept.
 * A reading is linked to a person only when that person granted the separate `health_screening`
 * consent purpose; otherwise any identity the device sent is dropped before anything is stored.
 * Metrics count outcomes only, never values or people.
 */
import { randomUUID } from 'node:crypto';
import type { SqlDatabase } from '../store/sql/sql-database.js';
import { InvalidArgument, NotFound } from '../errors/domain-errors.js';
import { isUniqueViolation } from '../store/sql/sql-database.js';
import { camelRow } from '../store/sql/camel-row.js';

export interface TemperatureEvent {
  readonly type: 'temperature';
  readonly eventId: string;
  readonly temperature: number;
  readonly unit: 'C' | 'F';
  /** The device's own verdict; facekey decides with the threshold below. */
  readonly abnormal?: boolean;
  readonly alarmThreshold: number;
  readonly faces: number;
  readonly mask?: boolean;
  readonly ambient?: number;
  readonly blackbody?: number;
  /** Only when the device identified the person (e.g. a checkout with a scanner). */
  readonly subjectId?: string;
}

export type ScreeningResult =
  | { readonly outcome: 'rejected'; readonly reason: 'invalid' | 'multiple_faces' }
  | { readonly outcome: 'normal' }
  | { readonly outcome: 'alert'; readonly alert: FeverAlert };

export const SECONDARY_CHECK_OUTCOMES = ['confirmed_fever', 'cleared', 'not_checked'] as const;
export type SecondaryCheckOutcome = (typeof SECONDARY_CHECK_OUTCOMES)[number];

export interface FeverAlert {
  readonly id: string;
  readonly tenantId: string;
  readonly deviceId: string;
  readonly siteId: string;
  /** Null once the outcome is recorded or the alert expired. */
  readonly temperatureC: number | null;
  readonly alarmThresholdC: number;
  /** Only with an active health_screening consent. */
  readonly subjectId: string | null;
  readonly raisedAt: string;
  readonly expiresAt: string;
  readonly outcome: SecondaryCheckOutcome | null;
  readonly outcomeAt: string | null;
}

/** Staff notification: the site's MQTT topic and the webhook. */
export interface FeverNotifier {
  notify(alert: FeverAlert): Promise<void>;
}

/** Whether the person granted the health_screening purpose, active now. */
export type HealthScreeningConsent = (tenantId: string, subjectId: string) => Promise<boolean>;

export interface ScreeningCounts {
  normal: number;
  alerts: number;
  multipleFaces: number;
  invalid: number;
  outcomes: Record<SecondaryCheckOutcome, number>;
}

interface AlertRow {
  id: string;
  tenant_id: string;
  device_id: string;
  site_id: string;
  temperature_c: string | null;
  alarm_threshold_c: string;
  subject_id: string | null;
  raised_at: string;
  expires_at: string;
  outcome: SecondaryCheckOutcome | null;
  outcome_at: string | null;
}

const toCelsius = (value: number, unit: 'C' | 'F'): number => (unit === 'F' ? ((value - 32) * 5) / 9 : value);
const round = (value: number): number => Math.round(value * 100) / 100;

function isTemperatureEvent(body: unknown): body is TemperatureEvent {
  const e = body as Partial<TemperatureEvent> | null;
  return (
    typeof e === 'object' &&
    e !== null &&
    e.type === 'temperature' &&
    typeof e.eventId === 'string' &&
    e.eventId.length > 0 &&
    e.eventId.length <= 100 &&
    typeof e.temperature === 'number' &&
    Number.isFinite(e.temperature) &&
    (e.unit === 'C' || e.unit === 'F') &&
    typeof e.alarmThreshold === 'number' &&
    Number.isInteger(e.faces) &&
    (e.subjectId === undefined || typeof e.subjectId === 'string')
  );
}

export class FeverAlerts {
  readonly counts: ScreeningCounts = { normal: 0, alerts: 0, multipleFaces: 0, invalid: 0, outcomes: { confirmed_fever: 0, cleared: 0, not_checked: 0 } };

  constructor(
    private readonly deps: {
      readonly db: SqlDatabase;
      readonly notifier: FeverNotifier;
      readonly healthConsent: HealthScreeningConsent;
      /** How long an alert (and so the value) lives without an outcome. */
      readonly alertLifetimeMs: number;
      readonly clock: () => Date;
    },
  ) {}

  /** `twinThresholdC` is the device's desired temperatureThresholdC, which overrides the device's own. */
  async screen(device: { id: string; tenantId: string; siteId: string }, body: unknown, twinThresholdC: number | undefined): Promise<ScreeningResult> {
    if (!isTemperatureEvent(body)) {
      this.counts.invalid++;
      return { outcome: 'rejected', reason: 'invalid' };
    }
    // Several people in the frame: no reading can be attributed to one of them.
    if (body.faces !== 1) {
      this.counts.multipleFaces++;
      return { outcome: 'rejected', reason: 'multiple_faces' };
    }
    const temperatureC = round(toCelsius(body.temperature, body.unit));
    const thresholdC = round(twinThresholdC ?? toCelsius(body.alarmThreshold, body.unit));
    if (temperatureC < thresholdC) {
      this.counts.normal++;
      return { outcome: 'normal' };
    }
    const linked = body.subjectId !== undefined && (await this.deps.healthConsent(device.tenantId, body.subjectId)) ? body.subjectId : null;
    const now = this.deps.clock();
    const row: AlertRow = {
      id: randomUUID(),
      tenant_id: device.tenantId,
      device_id: device.id,
      site_id: device.siteId,
      temperature_c: String(temperatureC),
      alarm_threshold_c: String(thresholdC),
      subject_id: linked,
      raised_at: now.toISOString(),
      expires_at: new Date(now.getTime() + this.deps.alertLifetimeMs).toISOString(),
      outcome: null,
      outcome_at: null,
    };
    try {
      await this.deps.db.run(
        `INSERT INTO fleet_fever_alerts (id, tenant_id, device_id, site_id, event_id, temperature_c, alarm_threshold_c, subject_id, raised_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [row.id, row.tenant_id, row.device_id, row.site_id, body.eventId, row.temperature_c, row.alarm_threshold_c, row.subject_id, row.raised_at, row.expires_at],
      );
    } catch (error) {
      // The same event redelivered: the alert exists already and staff were told.
      if (!isUniqueViolation(error)) throw error;
      const existing = await this.deps.db.get<AlertRow>('SELECT * FROM fleet_fever_alerts WHERE device_id = ? AND event_id = ?', [device.id, body.eventId]);
      return { outcome: 'alert', alert: toAlert(existing!) };
    }
    this.counts.alerts++;
    const alert = toAlert(row);
    await this.deps.notifier.notify(alert);
    return { outcome: 'alert', alert };
  }

  /** Staff record the secondary check; the temperature value is erased at the same moment. */
  async recordOutcome(tenantId: string, alertId: string, outcome: SecondaryCheckOutcome): Promise<FeverAlert> {
    if (!SECONDARY_CHECK_OUTCOMES.includes(outcome)) throw new InvalidArgument(`outcome must be one of ${SECONDARY_CHECK_OUTCOMES.join(', ')}`);
    const changed = await this.deps.db.run(
      'UPDATE fleet_fever_alerts SET outcome = ?, outcome_at = ?, temperature_c = NULL WHERE id = ? AND tenant_id = ? AND outcome IS NULL',
      [outcome, this.deps.clock().toISOString(), alertId, tenantId],
    );
    if (changed > 0) this.counts.outcomes[outcome]++;
    const alert = await this.get(tenantId, alertId);
    if (!alert) throw new NotFound('no such alert');
    return alert;
  }

  async get(tenantId: string, alertId: string): Promise<FeverAlert | undefined> {
    const row = await this.deps.db.get<AlertRow>('SELECT * FROM fleet_fever_alerts WHERE id = ? AND tenant_id = ?', [alertId, tenantId]);
    return row && toAlert(row);
  }

  async list(tenantId: string, limit = 100): Promise<FeverAlert[]> {
    const rows = await this.deps.db.all<AlertRow>('SELECT * FROM fleet_fever_alerts WHERE tenant_id = ? ORDER BY raised_at DESC, id LIMIT ?', [tenantId, limit]);
    return rows.map(toAlert);
  }

  /** Erases the value of every expired alert; returns how many. */
  async eraseExpiredValues(): Promise<number> {
    return this.deps.db.run('UPDATE fleet_fever_alerts SET temperature_c = NULL WHERE expires_at <= ? AND temperature_c IS NOT NULL', [
      this.deps.clock().toISOString(),
    ]);
  }
}

function toAlert(row: AlertRow): FeverAlert {
  return {
    ...camelRow(row, ['id', 'tenant_id', 'device_id', 'site_id', 'subject_id', 'raised_at', 'expires_at', 'outcome', 'outcome_at']),
    temperatureC: row.temperature_c === null ? null : Number(row.temperature_c),
    alarmThresholdC: Number(row.alarm_threshold_c),
  };
}
