/**
 * Device twins: the desired state facekey wants a device in and the state it reports, each with
 * its own version. Changing desired state names the version it was based on (optimistic
 * concurrency: two admins cannot silently overwrite each other); the delta is what the device
 * still has to apply. The full desired document, never a patch, is published retained on the
 * device's desired topic, so a device that was offline gets everything on reconnect.
 */
import type { SqlDatabase } from '../store/sql/sql-database.js';
import type { AuditSink } from '../audit/audit-sink.js';
import { Conflict, InvalidArgument, NotFound } from '../errors/domain-errors.js';

export type TwinState = Readonly<Record<string, unknown>>;

/** The settings a twin may hold, each checked by its own rule. */
const DESIRED_SETTINGS: Readonly<Record<string, (value: unknown) => boolean>> = {
  engine: (v) => isRecord(v) && typeof v.id === 'string' && typeof v.version === 'string' && Object.keys(v).length === 2,
  padPolicy: (v) => isRecord(v) && Object.values(v).every((x) => typeof x === 'number' && x >= 0 && x <= 1),
  consentTextVersion: (v) => typeof v === 'string' && v.length > 0 && v.length <= 64,
  kioskLanguage: (v) => typeof v === 'string' && /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(v),
  temperatureThresholdC: (v) => typeof v === 'number' && v >= 35 && v <= 42,
};
export const DESIRED_SETTING_NAMES = Object.keys(DESIRED_SETTINGS);

export interface Twin {
  readonly deviceId: string;
  readonly desired: TwinState;
  readonly desiredVersion: number;
  readonly desiredAt: string | null;
  readonly reported: TwinState;
  readonly reportedVersion: number;
  readonly reportedAt: string | null;
  /** Desired settings the reported state does not match yet. */
  readonly delta: TwinState;
}

/** The retained document on the desired topic. */
export interface DesiredDocument {
  readonly version: number;
  readonly state: TwinState;
}

export interface DesiredPublisher {
  publishDesired(deviceId: string, document: DesiredDocument): Promise<void>;
}

interface TwinRow {
  device_id: string;
  tenant_id: string;
  desired: string;
  desired_version: number;
  desired_at: string | null;
  reported: string;
  reported_version: number;
  reported_at: string | null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (isRecord(a) && isRecord(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].every((k) => deepEqual(a[k], b[k]));
  }
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  return false;
}

export function computeDelta(desired: TwinState, reported: TwinState): TwinState {
  return Object.fromEntries(Object.entries(desired).filter(([key, value]) => !deepEqual(value, reported[key])));
}

export class DeviceTwins {
  constructor(
    private readonly db: SqlDatabase,
    private readonly publisher: DesiredPublisher,
    private readonly audit: AuditSink,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async get(tenantId: string, deviceId: string): Promise<Twin> {
    const row = await this.db.get<TwinRow>('SELECT * FROM fleet_twins WHERE device_id = ? AND tenant_id = ?', [deviceId, tenantId]);
    if (!row) throw new NotFound('no such device');
    return toTwin(row);
  }

  /**
   * Applies `changes` (a setting set to null is removed) on top of version `expectedVersion`;
   * Conflict when someone changed it since. Publishes the full new document.
   */
  async changeDesired(tenantId: string, deviceId: string, changes: TwinState, expectedVersion: number, actor: string): Promise<Twin> {
    if (!isRecord(changes) || Object.keys(changes).length === 0) throw new InvalidArgument('desired changes must be a non-empty object');
    for (const [name, value] of Object.entries(changes)) {
      const rule = DESIRED_SETTINGS[name];
      if (!rule) throw new InvalidArgument(`unknown setting "${name}"; known: ${DESIRED_SETTING_NAMES.join(', ')}`);
      if (value !== null && !rule(value)) throw new InvalidArgument(`invalid value for setting "${name}"`);
    }
    const twin = await this.db.transaction(async (tx) => {
      const row = await tx.get<TwinRow>('SELECT * FROM fleet_twins WHERE device_id = ? AND tenant_id = ?', [deviceId, tenantId]);
      if (!row) throw new NotFound('no such device');
      if (Number(row.desired_version) !== expectedVersion)
        throw new Conflict(`desired state is at version ${row.desired_version}, not ${expectedVersion}`, { desiredVersion: Number(row.desired_version) });
      const desired: Record<string, unknown> = { ...(JSON.parse(row.desired) as TwinState) };
      for (const [name, value] of Object.entries(changes)) {
        if (value === null) delete desired[name];
        else desired[name] = value;
      }
      const next = { ...row, desired: JSON.stringify(desired), desired_version: expectedVersion + 1, desired_at: this.clock().toISOString() };
      // The version in the WHERE clause makes the write itself the concurrency check, on every node.
      const changed = await tx.run('UPDATE fleet_twins SET desired = ?, desired_version = ?, desired_at = ? WHERE device_id = ? AND desired_version = ?', [
        next.desired,
        next.desired_version,
        next.desired_at,
        deviceId,
        expectedVersion,
      ]);
      if (changed === 0) throw new Conflict('desired state changed concurrently');
      return toTwin(next);
    });
    await this.audit.append({
      type: 'fleet.twin_desired_changed',
      tenantId,
      actor,
      data: { deviceId, desiredVersion: twin.desiredVersion, settings: Object.keys(changes) },
    });
    await this.publisher.publishDesired(deviceId, { version: twin.desiredVersion, state: twin.desired });
    return twin;
  }

  /**
   * The device's full reported state replaces the previous one, unless a report the device made
   * later (`messageAt`, its own clock, ISO-8601) is already stored: reports may be handled out of order.
   */
  async report(deviceId: string, reported: unknown, messageAt: string): Promise<void> {
    if (!isRecord(reported)) throw new InvalidArgument('reported state must be an object');
    await this.db.run(
      'UPDATE fleet_twins SET reported = ?, reported_version = reported_version + 1, reported_at = ?, reported_message_at = ? WHERE device_id = ? AND (reported_message_at IS NULL OR reported_message_at < ?)',
      [JSON.stringify(reported), this.clock().toISOString(), messageAt, deviceId, messageAt],
    );
  }

  /** The full current desired document, for a resync when a device comes online. */
  async desiredDocument(deviceId: string): Promise<DesiredDocument | undefined> {
    const row = await this.db.get<TwinRow>('SELECT desired, desired_version FROM fleet_twins WHERE device_id = ?', [deviceId]);
    return row && { version: Number(row.desired_version), state: JSON.parse(row.desired) as TwinState };
  }
}

function toTwin(row: TwinRow): Twin {
  const desired = JSON.parse(row.desired) as TwinState;
  const reported = JSON.parse(row.reported) as TwinState;
  return {
    deviceId: row.device_id,
    desired,
    desiredVersion: Number(row.desired_version),
    desiredAt: row.desired_at,
    reported,
    reportedVersion: Number(row.reported_version),
    reportedAt: row.reported_at,
    delta: computeDelta(desired, reported),
  };
}
