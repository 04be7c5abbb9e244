/**
 * Presence you can trust: a device is online from its signed "online" message (or any message)
 * until its last will, its own goodbye, a revocation, or silence longer than the inactivity
 * timeout, which facekey checks itself rather than trusting the broker. Every transition is
 * written with its reason to the device's presence row and the connection log. Last-seen times are
 * kept in memory (one write per message would cost more than the message); a restart reloads the
 * online devices with the time of their last transition and lets the sweep judge them.
 */
import { randomUUID } from 'node:crypto';
import type { SqlDatabase } from '../store/sql/sql-database.js';
import { repeatInBackground } from '../runtime/repeat-in-background.js';

export type PresenceState = 'online' | 'offline';
export type PresenceReason =
  | 'connected'
  | 'message'
  | 'disconnected'
  | 'connection_lost'
  | 'inactivity_timeout'
  | 'revoked'
  | 'never_connected';

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

interface Live {
  tenantId: string;
  state: PresenceState;
  lastSeenMs: number;
}

export class PresenceTracker {
  private readonly live = new Map<string, Live>();

  constructor(
    private readonly db: SqlDatabase,
    private readonly inactivityTimeoutMs: number,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async load(): Promise<void> {
    const rows = await this.db.all<{ device_id: string; tenant_id: string; since: string; last_seen_at: string | null }>(
      "SELECT device_id, tenant_id, since, last_seen_at FROM fleet_presence WHERE state = 'online'",
    );
    for (const row of rows) this.live.set(row.device_id, { tenantId: row.tenant_id, state: 'online', lastSeenMs: Date.parse(row.last_seen_at ?? row.since) });
  }

  /** Any verified message from the device. */
  async seen(deviceId: string, tenantId: string): Promise<void> {
    const now = this.clock().getTime();
    const entry = this.live.get(deviceId);
    if (entry?.state === 'online') {
      entry.lastSeenMs = now;
      return;
    }
    await this.transition(deviceId, tenantId, 'online', 'message');
  }

  async online(deviceId: string, tenantId: string): Promise<boolean> {
    const wasOnline = this.live.get(deviceId)?.state === 'online';
    await this.transition(deviceId, tenantId, 'online', 'connected');
    return !wasOnline;
  }

  async offline(deviceId: string, tenantId: string, reason: Exclude<PresenceReason, 'connected' | 'message'>): Promise<void> {
    if (this.live.get(deviceId)?.state === 'offline' && reason !== 'revoked') return;
    await this.transition(deviceId, tenantId, 'offline', reason);
  }

  /** Marks offline every online device silent for longer than the timeout; returns their ids. */
  async sweep(): Promise<string[]> {
    const cutoff = this.clock().getTime() - this.inactivityTimeoutMs;
    const silent = [...this.live.entries()].filter(([, e]) => e.state === 'online' && e.lastSeenMs < cutoff);
    for (const [deviceId, entry] of silent) await this.transition(deviceId, entry.tenantId, 'offline', 'inactivity_timeout');
    return silent.map(([deviceId]) => deviceId);
  }

  /** Starts the periodic sweep; returns its stop function. */
  sweepEvery(intervalMs: number, onError: (error: unknown) => void): () => void {
    return repeatInBackground(intervalMs, () => this.sweep(), onError);
  }

  onlineCount(): number {
    let count = 0;
    for (const entry of this.live.values()) if (entry.state === 'online') count++;
    return count;
  }

  async get(tenantId: string, deviceId: string): Promise<Presence | undefined> {
    const row = await this.db.get<{ state: PresenceState; since: string; reason: PresenceReason; last_seen_at: string | null }>(
      'SELECT state, since, reason, last_seen_at FROM fleet_presence WHERE device_id = ? AND tenant_id = ?',
      [deviceId, tenantId],
    );
    if (!row) return undefined;
    const live = this.live.get(deviceId);
    const lastSeenAt = live && live.lastSeenMs > 0 ? new Date(live.lastSeenMs).toISOString() : row.last_seen_at;
    return { deviceId, state: row.state, since: row.since, reason: row.reason, lastSeenAt };
  }

  async connectionLog(tenantId: string, deviceId: string, limit = 100): Promise<ConnectionEvent[]> {
    const rows = await this.db.all<{ event: PresenceState; reason: PresenceReason; at: string }>(
      'SELECT event, reason, at FROM fleet_connection_log WHERE device_id = ? AND tenant_id = ? ORDER BY at DESC, id LIMIT ?',
      [deviceId, tenantId, limit],
    );
    return rows.map((r) => ({ deviceId, event: r.event, reason: r.reason, at: r.at }));
  }

  private async transition(deviceId: string, tenantId: string, state: PresenceState, reason: PresenceReason): Promise<void> {
    const now = this.clock();
    const at = now.toISOString();
    const entry = this.live.get(deviceId);
    const lastSeenAt = entry && entry.lastSeenMs > 0 ? new Date(entry.lastSeenMs).toISOString() : null;
    this.live.set(deviceId, { tenantId, state, lastSeenMs: state === 'online' ? now.getTime() : (entry?.lastSeenMs ?? 0) });
    await this.db.transaction(async (tx) => {
      await tx.run('UPDATE fleet_presence SET state = ?, since = ?, reason = ?, last_seen_at = ? WHERE device_id = ?', [
        state,
        at,
        reason,
        state === 'online' ? at : lastSeenAt,
        deviceId,
      ]);
      await tx.run('INSERT INTO fleet_connection_log (id, device_id, tenant_id, event, reason, at) VALUES (?, ?, ?, ?, ?, ?)', [
        randomUUID(),
        deviceId,
        tenantId,
        state,
        reason,
        at,
      ]);
    });
  }
}
