/**
 * Presence you can trust: a device is online from its signed "online" message until its last will,
 * its own goodbye, a revocation, or silence longer than the inactivity timeout, which facekey checks
 * itself rather than trusting the broker. Every transition is written with its reason to the
 * device's presence row and the connection log.
 *
 * The database is the only truth, so several facekey nodes can share the fleet: messages of one
 * device may be handled by different nodes and in any order (shared subscriptions, pipelined
 * handling, redelivery after a crash). Order comes from the device itself: each connection has a
 * session number (the device's connect time, increasing), carried by its "online", its goodbye and
 * its last will, so a last will of an old connection handled after the "online" of the next one
 * changes nothing. A transition reads and locks the row, decides (decidePresence, pure), writes.
 *
 * Last-seen times are written at most once per `lastSeenResolutionMs` (10 s, or a sixth of the
 * timeout) per device and node: an inactivity timeout of 90 s does not need every message's time,
 * and skipping the write saves a database write for most telemetry.
 */
import { randomUUID } from 'node:crypto';
import type { SqlDatabase, SqlExecutor } from '../store/sql/sql-database.js';
import { repeatInBackground } from '../runtime/repeat-in-background.js';

export type PresenceState = 'online' | 'offline';
export type PresenceReason =
  'connected' | 'message' | 'disconnected' | 'connection_lost' | 'inactivity_timeout' | 'revoked' | 'never_connected';

export interface Presence {
  readonly deviceId: string;
  readonly state: PresenceState;
  readonly since: string;
  readonly reason: PresenceReason;
  readonly lastSeenAt: string | null;
}

export interface ConnectionEvent {
  readonly deviceId: string;
  readonly event: PresenceState;
  readonly reason: PresenceReason;
  readonly at: string;
}

/** Where a device's current connection stands: said "online", or ended (goodbye, last will, revocation). */
export const SESSION_ONLINE = 1;
export const SESSION_ENDED = 2;

export interface StoredPresence {
  readonly state: PresenceState;
  readonly reason: PresenceReason;
  /** The device's session number of the connection the row describes; null before the first one. */
  readonly session: number | null;
  readonly phase: number | null;
}

export type PresenceEvent =
  | { readonly kind: 'online'; readonly session: number }
  | { readonly kind: 'offline'; readonly session: number; readonly reason: 'disconnected' | 'connection_lost' }
  /** Any other verified message. */
  | { readonly kind: 'seen' }
  | { readonly kind: 'revoked' };

export interface PresenceChange {
  readonly state: PresenceState;
  readonly reason: PresenceReason;
  readonly session: number | null;
  readonly phase: number | null;
  /** Whether the connection log gets an entry (the state changed, or a new connection began). */
  readonly logged: boolean;
}

/** The whole ordering policy, without I/O: what `event` does to a device in presence `current`, or undefined when it is stale. */
export function decidePresence(current: StoredPresence, event: PresenceEvent): PresenceChange | undefined {
  const { session, phase } = current;
  switch (event.kind) {
    case 'online':
      // An older connection, or this one's "online" again (a redelivery): nothing new.
      if (session !== null && (event.session < session || (event.session === session && (phase ?? 0) >= SESSION_ONLINE))) return undefined;
      return { state: 'online', reason: 'connected', session: event.session, phase: SESSION_ONLINE, logged: true };
    case 'offline':
      if (session !== null && (event.session < session || (event.session === session && (phase ?? 0) >= SESSION_ENDED))) return undefined;
      // Already offline (the inactivity timeout came first): the connection is now known to have ended, nothing to log.
      if (current.state === 'offline') return { ...current, session: event.session, phase: SESSION_ENDED, logged: false };
      return { state: 'offline', reason: event.reason, session: event.session, phase: SESSION_ENDED, logged: true };
    case 'seen':
      // A message while timed out proves the connection is alive after all; an ended connection stays ended.
      if (current.state === 'offline' && current.reason === 'inactivity_timeout' && phase === SESSION_ONLINE)
        return { state: 'online', reason: 'message', session, phase, logged: true };
      return undefined;
    case 'revoked':
      return { state: 'offline', reason: 'revoked', session, phase: SESSION_ENDED, logged: true };
  }
}

interface PresenceRow {
  state: PresenceState;
  reason: PresenceReason;
  since: string;
  last_seen_at: string | null;
  session_started: number | null;
  session_phase: number | null;
}

export class PresenceTracker {
  /** When this node last wrote each device's last-seen time. */
  private readonly lastWritten = new Map<string, number>();

  constructor(
    private readonly db: SqlDatabase,
    private readonly inactivityTimeoutMs: number,
    private readonly clock: () => Date = () => new Date(),
    /** A small part of the timeout, so skipped writes never make a talking device look silent. */
    private readonly lastSeenResolutionMs = Math.min(10_000, inactivityTimeoutMs / 6),
  ) {}

  /** The device's "online" for connection `session`; true when it was news (then its desired state is resent). */
  online(deviceId: string, tenantId: string, session: number): Promise<boolean> {
    return this.transition(deviceId, tenantId, { kind: 'online', session });
  }

  /** Its goodbye or its last will, for connection `session`. */
  async offline(deviceId: string, tenantId: string, reason: 'disconnected' | 'connection_lost', session: number): Promise<void> {
    await this.transition(deviceId, tenantId, { kind: 'offline', session, reason });
  }

  async revoked(deviceId: string, tenantId: string): Promise<void> {
    this.lastWritten.delete(deviceId);
    await this.transition(deviceId, tenantId, { kind: 'revoked' });
  }

  /** Any other verified message from the device. */
  async seen(deviceId: string, tenantId: string): Promise<void> {
    const now = this.clock().getTime();
    const written = this.lastWritten.get(deviceId);
    if (written !== undefined && now - written < this.lastSeenResolutionMs) return;
    const updated = await this.db.run("UPDATE fleet_presence SET last_seen_at = ? WHERE device_id = ? AND state = 'online'", [
      new Date(now).toISOString(),
      deviceId,
    ]);
    if (updated > 0) {
      this.lastWritten.set(deviceId, now);
      return;
    }
    await this.transition(deviceId, tenantId, { kind: 'seen' });
  }

  /** Marks offline every online device silent for longer than the timeout; returns their ids. Safe on several nodes at once. */
  async sweep(): Promise<string[]> {
    const now = this.clock();
    const cutoff = new Date(now.getTime() - this.inactivityTimeoutMs).toISOString();
    const at = now.toISOString();
    const silent = await this.db.transaction(async (tx) => {
      const rows = await tx.all<{ device_id: string; tenant_id: string }>(
        "UPDATE fleet_presence SET state = 'offline', reason = 'inactivity_timeout', since = ? WHERE state = 'online' AND last_seen_at < ? RETURNING device_id, tenant_id",
        [at, cutoff],
      );
      for (const row of rows) await logConnection(tx, row.device_id, row.tenant_id, 'offline', 'inactivity_timeout', at);
      return rows;
    });
    for (const row of silent) this.lastWritten.delete(row.device_id);
    return silent.map((row) => row.device_id);
  }

  /** Starts the periodic sweep; returns its stop function. */
  sweepEvery(intervalMs: number, onError: (error: unknown) => void): () => void {
    return repeatInBackground(intervalMs, () => this.sweep(), onError);
  }

  async onlineCount(): Promise<number> {
    const row = await this.db.get<{ n: number }>("SELECT COUNT(*) AS n FROM fleet_presence WHERE state = 'online'");
    return Number(row?.n ?? 0);
  }

  async get(tenantId: string, deviceId: string): Promise<Presence | undefined> {
    const row = await this.db.get<PresenceRow>(
      'SELECT state, since, reason, last_seen_at FROM fleet_presence WHERE device_id = ? AND tenant_id = ?',
      [deviceId, tenantId],
    );
    return row && { deviceId, state: row.state, since: row.since, reason: row.reason, lastSeenAt: row.last_seen_at };
  }

  /** Every device's state at once (the simulator's end-of-run check, a fleet page). */
  async states(tenantId: string): Promise<Map<string, PresenceState>> {
    const rows = await this.db.all<{ device_id: string; state: PresenceState }>(
      'SELECT device_id, state FROM fleet_presence WHERE tenant_id = ?',
      [tenantId],
    );
    return new Map(rows.map((r) => [r.device_id, r.state]));
  }

  async connectionLog(tenantId: string, deviceId: string, limit = 100): Promise<ConnectionEvent[]> {
    const rows = await this.db.all<{ event: PresenceState; reason: PresenceReason; at: string }>(
      'SELECT event, reason, at FROM fleet_connection_log WHERE device_id = ? AND tenant_id = ? ORDER BY at DESC, id LIMIT ?',
      [deviceId, tenantId, limit],
    );
    return rows.map((r) => ({ deviceId, event: r.event, reason: r.reason, at: r.at }));
  }

  private async transition(deviceId: string, tenantId: string, event: PresenceEvent): Promise<boolean> {
    const changed = await this.db.transaction(async (tx) => {
      // PostgreSQL: the row lock orders two nodes' transitions of one device; SQLite's writer lock already does.
      const lock = this.db.dialect === 'postgres' ? ' FOR UPDATE' : '';
      const row = await tx.get<PresenceRow>(
        `SELECT state, reason, since, last_seen_at, session_started, session_phase FROM fleet_presence WHERE device_id = ?${lock}`,
        [deviceId],
      );
      if (!row) return false;
      const change = decidePresence(
        {
          state: row.state,
          reason: row.reason,
          session: row.session_started === null ? null : Number(row.session_started),
          phase: row.session_phase === null ? null : Number(row.session_phase),
        },
        event,
      );
      if (!change) return false;
      const at = this.clock().toISOString();
      const becameOnline = change.state === 'online';
      await tx.run(
        'UPDATE fleet_presence SET state = ?, reason = ?, since = ?, last_seen_at = ?, session_started = ?, session_phase = ? WHERE device_id = ?',
        [
          change.state,
          change.reason,
          change.logged ? at : row.since,
          becameOnline ? at : row.last_seen_at,
          change.session,
          change.phase,
          deviceId,
        ],
      );
      if (change.logged) await logConnection(tx, deviceId, tenantId, change.state, change.reason, at);
      return true;
    });
    if (changed && event.kind === 'online') this.lastWritten.set(deviceId, this.clock().getTime());
    return changed;
  }
}

function logConnection(
  tx: SqlExecutor,
  deviceId: string,
  tenantId: string,
  event: PresenceState,
  reason: PresenceReason,
  at: string,
): Promise<number> {
  return tx.run('INSERT INTO fleet_connection_log (id, device_id, tenant_id, event, reason, at) VALUES (?, ?, ?, ?, ?, ?)', [
    randomUUID(),
    deviceId,
    tenantId,
    event,
    reason,
    at,
  ]);
}
