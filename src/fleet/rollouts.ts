/**
 * Jobs and staged rollouts. A job carries a document (e.g. the engine version to install) to the
 * devices a target query selects (kind, site, tag). A snapshot job's target is taken when the job
 * is created; a continuous job also takes devices that come to match later (newly registered, or
 * moved to the target's site or tags) on every advance, until an operator cancels or completes it,
 * so it never completes by itself. Each
 * device has its own execution: queued → in_progress → succeeded | failed | rejected | timed_out,
 * or canceled. The rollout releases executions phase by phase (cumulative fractions of the
 * target); the next phase starts only when the current one has no execution in progress. Abort
 * criteria (failure types, a threshold in percent, a minimum executed) are checked on every step
 * and actually stop the rollout: queued and in-progress executions are canceled and devices are
 * told. An execution silent past its in-progress timeout is timed out, so one device cannot hang
 * the job; failed and timed-out executions are retried up to `maxAttempts`, and an admin can
 * retry the failed ones later. `advance` is idempotent and runs on a timer (every second by default).
 */
import { randomUUID } from 'node:crypto';
import type { SqlDatabase, SqlExecutor } from '../store/sql/sql-database.js';
import { Conflict, InvalidArgument, NotFound } from '../errors/domain-errors.js';
import { deviceQueryWhere, hasQueryTag, type DeviceQuery, type FleetProvisioning } from './fleet-provisioning.js';
import { repeatInBackground } from '../runtime/repeat-in-background.js';

export const EXECUTION_STATUSES = ['queued', 'in_progress', 'succeeded', 'failed', 'rejected', 'timed_out', 'canceled'] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];
const FINISHED: readonly ExecutionStatus[] = ['succeeded', 'failed', 'rejected', 'timed_out'];
export type FailureType = 'failed' | 'rejected' | 'timed_out';

export type JobStatus = 'in_progress' | 'completed' | 'aborted' | 'canceled';

export const JOB_MODES = ['snapshot', 'continuous'] as const;
export type JobMode = (typeof JOB_MODES)[number];

export interface AbortCriteria {
  readonly failureTypes: readonly FailureType[];
  /** Abort when failures reach this share of executed executions, in percent. */
  readonly thresholdPercent: number;
  /** …once at least this many executions finished. */
  readonly minExecuted: number;
}

export interface NewJob {
  readonly document: Readonly<Record<string, unknown>>;
  readonly target: DeviceQuery;
  /** snapshot (default): the devices matching at creation; continuous: also devices that match later. */
  readonly mode?: JobMode;
  /** Cumulative fractions of the target, increasing, ending at 1; e.g. [0.01, 0.1, 0.5, 1]. */
  readonly phases?: readonly number[];
  readonly abort: AbortCriteria;
  readonly inProgressTimeoutMs: number;
  /** Attempts per device, retries included (1 = no retry). */
  readonly maxAttempts?: number;
  /** Rollout by rate: at most this many executions released per second (per advance), within the phases. */
  readonly maxPerSecond?: number;
}

export interface Job {
  readonly id: string;
  readonly tenantId: string;
  readonly document: Readonly<Record<string, unknown>>;
  readonly target: DeviceQuery;
  readonly mode: JobMode;
  readonly phases: readonly number[];
  readonly phase: number;
  readonly abort: AbortCriteria;
  readonly inProgressTimeoutMs: number;
  readonly maxAttempts: number;
  readonly maxPerSecond: number | null;
  readonly status: JobStatus;
  readonly statusReason: string | null;
  readonly counts: Readonly<Record<ExecutionStatus, number>>;
  readonly createdAt: string;
}

/** What a device is sent on its jobs topic. */
export type JobNotice = { readonly jobId: string; readonly action: 'run'; readonly document: Readonly<Record<string, unknown>>; readonly attempt: number } | { readonly jobId: string; readonly action: 'cancel' };

export interface JobNotifier {
  notify(deviceId: string, notice: JobNotice): Promise<void>;
}

interface JobRow {
  id: string;
  tenant_id: string;
  document: string;
  target: string;
  mode: JobMode;
  phases: string;
  phase: number;
  abort_criteria: string;
  in_progress_timeout_ms: number;
  max_attempts: number;
  max_per_second: number | null;
  status: JobStatus;
  status_reason: string | null;
  created_at: string;
}

interface ExecutionRow {
  device_id: string;
  seq: number;
  status: ExecutionStatus;
  attempts: number;
  started_at: string | null;
}

export class Rollouts {
  constructor(
    private readonly deps: {
      readonly db: SqlDatabase;
      readonly provisioning: FleetProvisioning;
      readonly notifier: JobNotifier;
      readonly clock: () => Date;
    },
  ) {}

  async create(tenantId: string, input: NewJob): Promise<Job> {
    const phases = input.phases ?? [1];
    if (phases.length === 0 || phases.some((p, i) => !(p > 0 && p <= 1) || (i > 0 && p <= phases[i - 1]!)) || phases[phases.length - 1] !== 1)
      throw new InvalidArgument('phases must be increasing fractions in (0, 1] ending at 1');
    const { abort } = input;
    if (!(abort.thresholdPercent > 0 && abort.thresholdPercent <= 100) || !Number.isInteger(abort.minExecuted) || abort.minExecuted < 1 || abort.failureTypes.length === 0)
      throw new InvalidArgument('abort criteria need failure types, a threshold in (0, 100] percent and a minimum executed ≥ 1');
    if (!Number.isInteger(input.inProgressTimeoutMs) || input.inProgressTimeoutMs < 1000) throw new InvalidArgument('inProgressTimeoutMs must be ≥ 1000');
    const maxAttempts = input.maxAttempts ?? 1;
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 10) throw new InvalidArgument('maxAttempts must be 1 to 10');
    const maxPerSecond = input.maxPerSecond ?? null;
    if (maxPerSecond !== null && (!Number.isInteger(maxPerSecond) || maxPerSecond < 1)) throw new InvalidArgument('maxPerSecond must be a positive integer');
    const mode = input.mode ?? 'snapshot';
    if (!JOB_MODES.includes(mode)) throw new InvalidArgument(`mode must be one of ${JOB_MODES.join(', ')}`);
    const devices = (await this.deps.provisioning.listDevices(tenantId, input.target)).filter((d) => !d.revokedAt);
    // A continuous job may wait for devices that are not installed yet.
    if (devices.length === 0 && mode === 'snapshot') throw new InvalidArgument('the target selects no active device');
    const id = randomUUID();
    const now = this.deps.clock().toISOString();
    await this.deps.db.transaction(async (tx) => {
      await tx.run(
        `INSERT INTO fleet_jobs (id, tenant_id, document, target, mode, phases, phase, abort_criteria, in_progress_timeout_ms, max_attempts, max_per_second, status, status_reason, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, 'in_progress', NULL, ?, ?)`,
        [id, tenantId, JSON.stringify(input.document), JSON.stringify(input.target), mode, JSON.stringify(phases), JSON.stringify(abort), input.inProgressTimeoutMs, maxAttempts, maxPerSecond, now, now],
      );
      await queueExecutions(tx, id, devices.map((d) => d.id), 0, now);
    });
    await this.advance(id);
    return this.get(tenantId, id);
  }

  async get(tenantId: string, jobId: string): Promise<Job> {
    const row = await this.deps.db.get<JobRow>('SELECT * FROM fleet_jobs WHERE id = ? AND tenant_id = ?', [jobId, tenantId]);
    if (!row) throw new NotFound('no such job');
    return toJob(row, await this.counts(this.deps.db, jobId));
  }

  /** A tenant's jobs, newest first, with their per-state counts (one grouped query for all of them). */
  async list(tenantId: string, limit = 100): Promise<Job[]> {
    const rows = await this.deps.db.all<JobRow>('SELECT * FROM fleet_jobs WHERE tenant_id = ? ORDER BY created_at DESC, id LIMIT ?', [tenantId, limit]);
    if (rows.length === 0) return [];
    const grouped = await this.deps.db.all<{ job_id: string; status: ExecutionStatus; n: number }>(
      `SELECT job_id, status, COUNT(*) AS n FROM fleet_job_executions WHERE job_id IN (${rows.map(() => '?').join(', ')}) GROUP BY job_id, status`,
      rows.map((r) => r.id),
    );
    return rows.map((row) => toJob(row, countsOf(grouped.filter((g) => g.job_id === row.id))));
  }

  async execution(jobId: string, deviceId: string): Promise<ExecutionStatus | undefined> {
    return (await this.deps.db.get<{ status: ExecutionStatus }>('SELECT status FROM fleet_job_executions WHERE job_id = ? AND device_id = ?', [jobId, deviceId]))?.status;
  }

  /**
   * A device's update on its jobs topic. Only an in-progress execution moves; anything else is
   * stale and ignored. The job itself advances on the timer (abort checks, next phase), not per
   * update: an advance reads the whole job, and 20,000 updates each reading 20,000 rows would
   * stall ingest.
   */
  async update(deviceId: string, body: unknown): Promise<void> {
    const { jobId, status } = (body ?? {}) as { jobId?: unknown; status?: unknown };
    if (typeof jobId !== 'string' || (status !== 'succeeded' && status !== 'failed' && status !== 'rejected')) return;
    await this.deps.db.run(
      "UPDATE fleet_job_executions SET status = ?, updated_at = ? WHERE job_id = ? AND device_id = ? AND status = 'in_progress'",
      [status, this.deps.clock().toISOString(), jobId, deviceId],
    );
  }

  /** Every job in progress, e.g. on a timer: timeouts, abort checks, next phase. */
  async advanceAll(): Promise<void> {
    const jobs = await this.deps.db.all<{ id: string }>("SELECT id FROM fleet_jobs WHERE status = 'in_progress'");
    for (const job of jobs) await this.advance(job.id);
  }

  advanceEvery(intervalMs: number, onError: (error: unknown) => void): () => void {
    return repeatInBackground(intervalMs, () => this.advanceAll(), onError);
  }

  async advance(jobId: string): Promise<void> {
    const notices: { deviceId: string; notice: JobNotice }[] = [];
    await this.deps.db.transaction(async (tx) => {
      // The job row is updated first: in PostgreSQL that locks it, so two nodes never advance one job at once.
      const nowIso = this.deps.clock().toISOString();
      if ((await tx.run("UPDATE fleet_jobs SET updated_at = ? WHERE id = ? AND status = 'in_progress'", [nowIso, jobId])) === 0) return;
      const job = (await tx.get<JobRow>('SELECT * FROM fleet_jobs WHERE id = ?', [jobId]))!;
      const now = this.deps.clock().getTime();
      const document = JSON.parse(job.document) as Record<string, unknown>;

      // 0. A continuous job takes the devices that have come to match its target since the last advance.
      if (job.mode === 'continuous') await this.enrollNewDevices(tx, job, nowIso);

      // 1. In-progress timeouts; a timed-out execution with attempts left goes back to the queue.
      const running = await tx.all<ExecutionRow>("SELECT device_id, seq, status, attempts, started_at FROM fleet_job_executions WHERE job_id = ? AND status = 'in_progress'", [jobId]);
      for (const execution of running) {
        if (now - Date.parse(execution.started_at ?? nowIso) < Number(job.in_progress_timeout_ms)) continue;
        const retry = Number(execution.attempts) < Number(job.max_attempts);
        await tx.run('UPDATE fleet_job_executions SET status = ?, updated_at = ? WHERE job_id = ? AND device_id = ?', [retry ? 'queued' : 'timed_out', nowIso, jobId, execution.device_id]);
      }
      // Failed executions with attempts left are retried too.
      await tx.run("UPDATE fleet_job_executions SET status = 'queued', updated_at = ? WHERE job_id = ? AND status = 'failed' AND attempts < ?", [nowIso, jobId, Number(job.max_attempts)]);

      // 2. Abort criteria.
      const counts = await this.counts(tx, jobId);
      const abort = JSON.parse(job.abort_criteria) as AbortCriteria;
      const executed = FINISHED.reduce((sum, s) => sum + counts[s], 0);
      const failures = abort.failureTypes.reduce((sum, s) => sum + counts[s], 0);
      if (executed >= abort.minExecuted && (failures / executed) * 100 >= abort.thresholdPercent) {
        const live = await tx.all<{ device_id: string; status: ExecutionStatus }>(
          "SELECT device_id, status FROM fleet_job_executions WHERE job_id = ? AND status IN ('queued', 'in_progress')",
          [jobId],
        );
        await tx.run("UPDATE fleet_job_executions SET status = 'canceled', updated_at = ? WHERE job_id = ? AND status IN ('queued', 'in_progress')", [nowIso, jobId]);
        const reason = `${failures} of ${executed} executed failed (${((failures / executed) * 100).toFixed(1)}% ≥ ${abort.thresholdPercent}%)`;
        await tx.run("UPDATE fleet_jobs SET status = 'aborted', status_reason = ? WHERE id = ?", [reason, jobId]);
        for (const e of live) if (e.status === 'in_progress') notices.push({ deviceId: e.device_id, notice: { jobId, action: 'cancel' } });
        return;
      }

      // 3. Phases: release executions up to the current phase's share; move on when it has settled.
      const phases = JSON.parse(job.phases) as number[];
      const total = EXECUTION_STATUSES.reduce((sum, s) => sum + counts[s], 0);
      let phase = Number(job.phase);
      let budget = job.max_per_second === null ? Number.MAX_SAFE_INTEGER : Number(job.max_per_second);
      for (;;) {
        const allowed = Math.ceil(phases[phase]! * total);
        const queued = await tx.all<ExecutionRow>(
          "SELECT device_id, seq, status, attempts, started_at FROM fleet_job_executions WHERE job_id = ? AND seq < ? AND status = 'queued' ORDER BY seq LIMIT ?",
          [jobId, allowed, budget],
        );
        budget -= queued.length;
        for (const execution of queued) {
          const attempt = Number(execution.attempts) + 1;
          await tx.run("UPDATE fleet_job_executions SET status = 'in_progress', attempts = ?, started_at = ?, updated_at = ? WHERE job_id = ? AND device_id = ?", [attempt, nowIso, nowIso, jobId, execution.device_id]);
          notices.push({ deviceId: execution.device_id, notice: { jobId, action: 'run', document, attempt } });
        }
        const inPhaseRunning = await tx.get<{ n: number }>(
          "SELECT COUNT(*) AS n FROM fleet_job_executions WHERE job_id = ? AND seq < ? AND status IN ('queued', 'in_progress')",
          [jobId, allowed],
        );
        if (Number(inPhaseRunning?.n ?? 0) > 0 || phase === phases.length - 1) break;
        phase++;
      }
      const after = await this.counts(tx, jobId);
      // A continuous job stays open for devices to come; an operator completes or cancels it.
      const done = job.mode === 'snapshot' && after.queued === 0 && after.in_progress === 0;
      await tx.run('UPDATE fleet_jobs SET phase = ?, status = ? WHERE id = ?', [phase, done ? 'completed' : 'in_progress', jobId]);
    });
    for (const { deviceId, notice } of notices) await this.deps.notifier.notify(deviceId, notice);
  }

  /** "Retry the failed ones": failed and timed-out executions are queued again with fresh attempts. */
  async retryFailed(tenantId: string, jobId: string): Promise<Job> {
    const job = await this.get(tenantId, jobId);
    if (job.status === 'canceled') throw new Conflict('a canceled job cannot be retried');
    const now = this.deps.clock().toISOString();
    await this.deps.db.transaction(async (tx) => {
      await tx.run("UPDATE fleet_job_executions SET status = 'queued', attempts = 0, updated_at = ? WHERE job_id = ? AND status IN ('failed', 'timed_out', 'canceled')", [now, jobId]);
      await tx.run("UPDATE fleet_jobs SET status = 'in_progress', status_reason = NULL, updated_at = ? WHERE id = ?", [now, jobId]);
    });
    await this.advance(jobId);
    return this.get(tenantId, jobId);
  }

  async cancel(tenantId: string, jobId: string): Promise<Job> {
    await this.get(tenantId, jobId);
    const now = this.deps.clock().toISOString();
    const running = await this.deps.db.transaction(async (tx) => {
      const live = await tx.all<{ device_id: string }>("SELECT device_id FROM fleet_job_executions WHERE job_id = ? AND status = 'in_progress'", [jobId]);
      await tx.run("UPDATE fleet_job_executions SET status = 'canceled', updated_at = ? WHERE job_id = ? AND status IN ('queued', 'in_progress')", [now, jobId]);
      await tx.run("UPDATE fleet_jobs SET status = 'canceled', status_reason = 'canceled by an admin', updated_at = ? WHERE id = ?", [now, jobId]);
      return live;
    });
    for (const e of running) await this.deps.notifier.notify(e.device_id, { jobId, action: 'cancel' });
    return this.get(tenantId, jobId);
  }

  /**
   * An operator closes a continuous job: it takes no more devices and what is still queued is
   * canceled; executions already running finish (their updates are still recorded).
   */
  async complete(tenantId: string, jobId: string): Promise<Job> {
    const job = await this.get(tenantId, jobId);
    if (job.mode !== 'continuous') throw new Conflict('only a continuous job is completed by an operator; a snapshot job completes by itself');
    if (job.status !== 'in_progress') throw new Conflict(`the job is already ${job.status}`);
    const now = this.deps.clock().toISOString();
    await this.deps.db.transaction(async (tx) => {
      await tx.run("UPDATE fleet_job_executions SET status = 'canceled', updated_at = ? WHERE job_id = ? AND status = 'queued'", [now, jobId]);
      await tx.run("UPDATE fleet_jobs SET status = 'completed', status_reason = 'completed by an admin', updated_at = ? WHERE id = ? AND status = 'in_progress'", [now, jobId]);
    });
    return this.get(tenantId, jobId);
  }

  /** Online active devices matching the job's target that have no execution yet, queued after the others. */
  private async enrollNewDevices(tx: SqlExecutor, job: JobRow, nowIso: string): Promise<void> {
    const target = JSON.parse(job.target) as DeviceQuery;
    const { where, params } = deviceQueryWhere(job.tenant_id, target, 'd');
    where.push('d.revoked_at IS NULL', "p.state = 'online'", 'NOT EXISTS (SELECT 1 FROM fleet_job_executions e WHERE e.job_id = ? AND e.device_id = d.id)');
    params.push(job.id);
    // Only once the device is online: devices connect with a clean session and subscribe before they
    // announce themselves, so a notice sent to a device that just registered and has not connected
    // yet would be lost and its execution would only time out.
    const rows = await tx.all<{ id: string; tags: string }>(
      `SELECT d.id, d.tags FROM fleet_devices d JOIN fleet_presence p ON p.device_id = d.id WHERE ${where.join(' AND ')}`,
      params,
    );
    const joining = rows.filter((r) => hasQueryTag(JSON.parse(r.tags) as string[], target)).map((r) => r.id);
    if (joining.length === 0) return;
    const last = await tx.get<{ seq: number | null }>('SELECT MAX(seq) AS seq FROM fleet_job_executions WHERE job_id = ?', [job.id]);
    await queueExecutions(tx, job.id, joining, last?.seq === null || last?.seq === undefined ? 0 : Number(last.seq) + 1, nowIso);
  }

  private async counts(db: SqlExecutor, jobId: string): Promise<Record<ExecutionStatus, number>> {
    return countsOf(await db.all<{ status: ExecutionStatus; n: number }>('SELECT status, COUNT(*) AS n FROM fleet_job_executions WHERE job_id = ? GROUP BY status', [jobId]));
  }
}

function countsOf(rows: readonly { status: ExecutionStatus; n: number }[]): Record<ExecutionStatus, number> {
  const counts = Object.fromEntries(EXECUTION_STATUSES.map((s) => [s, 0])) as Record<ExecutionStatus, number>;
  for (const row of rows) counts[row.status] = Number(row.n);
  return counts;
}

/** Queues executions from `firstSeq` on, shuffled, so a phase is not one site or one batch of hardware. */
async function queueExecutions(tx: SqlExecutor, jobId: string, deviceIds: readonly string[], firstSeq: number, nowIso: string): Promise<void> {
  const order = [...deviceIds].sort(() => Math.random() - 0.5);
  for (const [i, deviceId] of order.entries())
    await tx.run("INSERT INTO fleet_job_executions (job_id, device_id, seq, status, attempts, updated_at) VALUES (?, ?, ?, 'queued', 0, ?)", [jobId, deviceId, firstSeq + i, nowIso]);
}

function toJob(row: JobRow, counts: Record<ExecutionStatus, number>): Job {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    document: JSON.parse(row.document) as Record<string, unknown>,
    target: JSON.parse(row.target) as DeviceQuery,
    mode: row.mode,
    phases: JSON.parse(row.phases) as number[],
    phase: Number(row.phase),
    abort: JSON.parse(row.abort_criteria) as AbortCriteria,
    inProgressTimeoutMs: Number(row.in_progress_timeout_ms),
    maxAttempts: Number(row.max_attempts),
    maxPerSecond: row.max_per_second === null ? null : Number(row.max_per_second),
    status: row.status,
    statusReason: row.status_reason,
    counts,
    createdAt: row.created_at,
  };
}
