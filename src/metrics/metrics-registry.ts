import type * as Prom from 'prom-client';
import type { MetricSample } from './metric-sample.js';

type PromClient = typeof Prom;

/** Loaded only when a metrics option is set: prom-client and its default collectors cost memory. */
export async function loadPromClient(): Promise<PromClient> {
  return await import('prom-client');
}

const DURATION_BUCKETS = [1, 5, 15, 60, 300, 900, 3600, 4 * 3600];

/** One prom-client registry: the process metrics (RSS, event-loop lag, …), this worker's run durations as a
 * histogram, its own state, and the gauges read from dbkeeper_runs (replaced whole at each refresh). */
export class MetricsRegistry {
  readonly registry: Prom.Registry;
  private readonly prom: PromClient;
  private readonly duration: Prom.Histogram<'dbkeeper_job' | 'status'>;
  private readonly scheduling: Prom.Gauge;
  private readonly databaseUp: Prom.Gauge;
  private readonly refreshed: Prom.Gauge;
  /** Gauges made from samples, by name, with the label names they were made with. */
  private readonly gauges = new Map<string, { gauge: Prom.Gauge; labelNames: string[] }>();

  constructor(prom: PromClient) {
    this.prom = prom;
    this.registry = new prom.Registry();
    prom.collectDefaultMetrics({ register: this.registry });
    const registers = [this.registry];
    this.duration = new prom.Histogram({
      name: 'dbkeeper_job_duration_seconds',
      help: 'Duration of the runs this worker made',
      labelNames: ['dbkeeper_job', 'status'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.scheduling = new prom.Gauge({
      name: 'dbkeeper_scheduling',
      help: 'Whether this worker is scheduling jobs (1) or starting or stopping (0)',
      registers,
    });
    this.databaseUp = new prom.Gauge({
      name: 'dbkeeper_database_up',
      help: 'Whether the last read of dbkeeper_runs succeeded (1) or not (0)',
      registers,
    });
    this.refreshed = new prom.Gauge({
      name: 'dbkeeper_metrics_refresh_timestamp_seconds',
      help: 'When the figures from dbkeeper_runs were last read (Unix seconds)',
      registers,
    });
  }

  observeRun(job: string, status: string, durationMs: number): void {
    this.duration.observe({ dbkeeper_job: job, status }, durationMs / 1000);
  }

  setScheduling(on: boolean): void {
    this.scheduling.set(on ? 1 : 0);
  }

  setDatabaseUp(up: boolean): void {
    this.databaseUp.set(up ? 1 : 0);
  }

  /** Replaces every sample gauge: a table or figure gone from the latest results disappears from the output. */
  setSamples(samples: readonly MetricSample[], at: Date): void {
    const byName = new Map<string, MetricSample[]>();
    for (const s of samples) byName.set(s.name, [...(byName.get(s.name) ?? []), s]);
    for (const [name, entry] of this.gauges) {
      if (!byName.has(name)) {
        this.registry.removeSingleMetric(name);
        this.gauges.delete(name);
      } else entry.gauge.reset();
    }
    for (const [name, list] of byName) {
      const labelNames = [...new Set(list.flatMap((s) => Object.keys(s.labels)))].sort();
      let entry = this.gauges.get(name);
      if (entry && entry.labelNames.join(',') !== labelNames.join(',')) {
        this.registry.removeSingleMetric(name);
        entry = undefined;
      }
      if (!entry) {
        entry = {
          gauge: new this.prom.Gauge({ name, help: list[0]!.help, labelNames, registers: [this.registry] }),
          labelNames,
        };
        this.gauges.set(name, entry);
      }
      for (const s of list) {
        const labels = Object.fromEntries(labelNames.map((l) => [l, s.labels[l] ?? '']));
        entry.gauge.set(labels, s.value);
      }
    }
    this.refreshed.set(at.getTime() / 1000);
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
