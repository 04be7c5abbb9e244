/**
 * The fleet's Prometheus metrics on the service's /metrics, without a label per device: labels are
 * channels, refusal reasons, job and execution states and screening outcomes, each a short fixed
 * list, so 20,000 devices cost the same series as 20. Message counts and ingest latency are
 * observed as messages are handled; the rest is read when Prometheus scrapes (devices online from
 * the presence table, so every node reports the same fleet-wide figure).
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { SqlExecutor } from '../store/sql/sql-database.js';
import type { ScreeningCounts } from './fever-alerts.js';

/** What ingest tells the metrics about each message. */
export interface IngestObserver {
  accepted(channel: string, latencyMs: number | undefined): void;
  refused(reason: string): void;
}

/** What the scrape-time gauges read. */
export interface FleetMetricSources {
  readonly db: SqlExecutor;
  /** Messages handed to this node's handlers and not yet acknowledged. */
  readonly ingestInFlight: () => number;
  /** Sessions of dead or stopped nodes this node is draining. */
  readonly borrowedSessions: () => number;
  readonly screening: ScreeningCounts;
}

export class FleetMetrics implements IngestObserver {
  private readonly messages = new Counter({
    name: 'facekey_fleet_messages_total',
    help: 'Device messages accepted by this node, by channel',
    labelNames: ['channel'],
    registers: [],
  });
  private readonly refusals = new Counter({
    name: 'facekey_fleet_messages_refused_total',
    help: 'Device messages refused by this node (acknowledged and dropped), by reason',
    labelNames: ['reason'],
    registers: [],
  });
  private readonly latency = new Histogram({
    name: 'facekey_fleet_ingest_seconds',
    help: 'Device message time (device clock) to handled and committed, by channel; presence excluded (a last will is signed at connect time)',
    labelNames: ['channel'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [],
  });

  accepted(channel: string, latencyMs: number | undefined): void {
    this.messages.inc({ channel });
    if (latencyMs !== undefined) this.latency.observe({ channel }, Math.max(0, latencyMs) / 1000);
  }

  refused(reason: string): void {
    this.refusals.inc({ reason });
  }

  /** Adds the fleet's metrics to the service's registry. */
  register(registry: Registry, sources: FleetMetricSources): void {
    registry.registerMetric(this.messages);
    registry.registerMetric(this.refusals);
    registry.registerMetric(this.latency);
    registry.registerMetric(
      new Gauge({
        name: 'facekey_fleet_devices_online',
        help: 'Devices whose presence is online (fleet-wide, from the presence table)',
        registers: [],
        async collect() {
          const row = await sources.db.get<{ n: number }>("SELECT COUNT(*) AS n FROM fleet_presence WHERE state = 'online'");
          this.set(Number(row?.n ?? 0));
        },
      }),
    );
    registry.registerMetric(
      new Gauge({
        name: 'facekey_fleet_ingest_in_flight',
        help: 'Device messages this node is handling and has not acknowledged yet',
        registers: [],
        collect() {
          this.set(sources.ingestInFlight());
        },
      }),
    );
    registry.registerMetric(
      new Gauge({
        name: 'facekey_fleet_borrowed_sessions',
        help: 'Ingest sessions of dead or stopped nodes this node is draining',
        registers: [],
        collect() {
          this.set(sources.borrowedSessions());
        },
      }),
    );
    registry.registerMetric(
      new Gauge({
        name: 'facekey_fleet_jobs',
        help: 'Jobs (rollouts) by status',
        labelNames: ['status'],
        registers: [],
        async collect() {
          this.reset();
          for (const row of await sources.db.all<{ status: string; n: number }>(
            'SELECT status, COUNT(*) AS n FROM fleet_jobs GROUP BY status',
          ))
            this.set({ status: row.status }, Number(row.n));
        },
      }),
    );
    registry.registerMetric(
      new Gauge({
        name: 'facekey_fleet_rollout_executions',
        help: 'Device executions of jobs still in progress, by execution status',
        labelNames: ['status'],
        registers: [],
        async collect() {
          this.reset();
          const rows = await sources.db.all<{ status: string; n: number }>(
            "SELECT e.status, COUNT(*) AS n FROM fleet_job_executions e JOIN fleet_jobs j ON j.id = e.job_id WHERE j.status = 'in_progress' GROUP BY e.status",
          );
          for (const row of rows) this.set({ status: row.status }, Number(row.n));
        },
      }),
    );
    registry.registerMetric(
      new Gauge({
        name: 'facekey_fleet_temperature_screenings',
        help: 'Temperature screenings handled by this node since it started, by outcome (counts only, never values)',
        labelNames: ['outcome'],
        registers: [],
        collect() {
          const { normal, alerts, multipleFaces, invalid, outcomes } = sources.screening;
          this.set({ outcome: 'normal' }, normal);
          this.set({ outcome: 'alert' }, alerts);
          this.set({ outcome: 'multiple_faces' }, multipleFaces);
          this.set({ outcome: 'invalid' }, invalid);
          for (const [outcome, n] of Object.entries(outcomes)) this.set({ outcome: `secondary_check_${outcome}` }, n);
        },
      }),
    );
  }
}
