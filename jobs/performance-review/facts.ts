import type { Flavor } from '../../src/db/dialect.js';
import type { DigestRow } from './digest-baseline.js';
import type { RawSample, StatementStat } from './statement-stats.js';

export type ReviewSourceName = 'performance_schema' | 'slow_log_table' | 'slow_log_file';

export interface SourceAttempt {
  source: ReviewSourceName;
  used: boolean;
  /** Why it was not used, or a caveat when it was. */
  note: string;
}

/** Connection figures of one health snapshot in the month. */
export interface ConnectionSample {
  takenAt: Date;
  maxUsedConnections: number;
  threadsConnected: number;
  maxConnections: number;
  /** Server start (server clock, ms): a change means a restart, which resets Max_used_connections. */
  serverStartMs: number;
}

export interface ReviewPeriod {
  from: Date;
  to: Date;
  /** e.g. "2026-10"; `partial` when the month is not over yet. */
  label: string;
  partial: boolean;
}

export interface PerformanceReviewFacts {
  flavor: Flavor;
  version: string;
  attempts: SourceAttempt[];
  source: ReviewSourceName | null;
  statements: StatementStat[];
  /** Executions read (slow log) or digests read (performance_schema). */
  entriesRead: number;
  truncated: boolean;
  /** performance_schema digests without a baseline: totals are since this time, not since the month start. */
  digestsSince: Date | null;
  /** performance_schema digests: counts are deltas since this baseline (stored by the previous review). */
  digestBaselineAt: Date | null;
  /** Slow log: one real statement per fingerprint, for the opt-in raw-samples file on the worker host only
   * (customer data: never in the report, the run row or the server). */
  rawSamples?: RawSample[];
  /** The raw digests, to store as next month's baseline (not part of the report). */
  digestRows?: DigestRow[];
  serverKey: string;
  slowQueryLog: boolean;
  logOutput: string;
  longQueryTimeSeconds: number;
  performanceSchema: boolean;
  now: ConnectionSample;
  samples: ConnectionSample[];
}
