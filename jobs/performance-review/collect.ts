import { access, constants } from 'node:fs/promises';
import { readGlobal } from '../../src/db/global-status.js';
import { hostname } from 'node:os';
import { isAbsolute, join } from 'node:path';
import type { Readable } from 'node:stream';
import type { RowDataPacket } from 'mysql2/promise';
import { digestQuantile95Column } from '../../src/db/dialect.js';
import type { JobDb } from '../../src/db/job-db.js';
import { snapshotsBetween } from '../health/snapshot-store.js';
import { maskLiterals } from '../../src/log/mask-literals.js';
import { BASELINE_SLACK_MS, digestStats, findBaseline, type DigestRow } from './digest-baseline.js';
import { SERVER_IDENTITY_COLUMNS, serverKeyOf, type HealthFacts } from '../health/facts.js';
import type { ConnectionSample, PerformanceReviewFacts, ReviewPeriod, SourceAttempt } from './facts.js';
import { readSlowLogFile } from './slow-log-file.js';
import { StatementAggregator } from './statement-stats.js';

type Db = Pick<JobDb, 'query' | 'dialect' | 'schema' | 'conn'>;

export interface CollectPerformanceReviewOptions {
  maxSlowLogEntries: number;
  /** The worker's host name (tests pass another to see the "not on this host" path). */
  workerHost?: string;
  signal: AbortSignal;
}

interface ServerVars {
  performanceSchema: boolean;
  slowQueryLog: boolean;
  logOutput: string;
  longQueryTime: number;
  slowLogFile: string;
  datadir: string;
  hostname: string;
  serverKey: string;
  version: string;
  sample: ConnectionSample;
}

async function serverVars(db: Db): Promise<ServerVars> {
  const [v] = await db.query<RowDataPacket[]>(
    `SELECT @@performance_schema AS ps, @@slow_query_log AS sql_on, @@log_output AS log_output, @@long_query_time AS lqt,
            @@slow_query_log_file AS slow_file, @@datadir AS datadir, ${SERVER_IDENTITY_COLUMNS}, @@max_connections AS max_conn, VERSION() AS version, UNIX_TIMESTAMP(NOW(3)) * 1000 AS epoch_ms`,
  );
  const status = await readGlobal(db, 'STATUS', ['UPTIME', 'THREADS_CONNECTED', 'MAX_USED_CONNECTIONS']);
  const s = new Map([...status].map(([name, value]) => [name, Number(value)]));
  const epochMs = Math.round(Number(v!.epoch_ms));
  return {
    performanceSchema: Number(v!.ps) === 1,
    slowQueryLog: Number(v!.sql_on) === 1,
    logOutput: String(v!.log_output),
    longQueryTime: Number(v!.lqt),
    slowLogFile: String(v!.slow_file ?? ''),
    datadir: String(v!.datadir ?? ''),
    hostname: String(v!.host),
    serverKey: serverKeyOf(v!),
    version: String(v!.version),
    sample: {
      takenAt: new Date(epochMs),
      maxUsedConnections: s.get('MAX_USED_CONNECTIONS') ?? 0,
      threadsConnected: s.get('THREADS_CONNECTED') ?? 0,
      maxConnections: Number(v!.max_conn),
      serverStartMs: epochMs - (s.get('UPTIME') ?? 0) * 1000,
    },
  };
}

function sampleOf(takenAt: Date, f: HealthFacts): ConnectionSample {
  return {
    takenAt,
    maxUsedConnections: f.maxUsedConnections,
    threadsConnected: f.threadsConnected,
    maxConnections: f.maxConnections,
    serverStartMs: f.serverEpochMs - f.uptimeSeconds * 1000,
  };
}

/** Rows of a SELECT one at a time (the slow log table has no index and may be large). */
async function* streamRows(db: Db, sql: string, values: unknown[]): AsyncGenerator<RowDataPacket> {
  const core = (db.conn as unknown as { connection: { query(sql: string, values: unknown[]): { stream(): Readable } } })
    .connection;
  const stream = core.query(sql, values).stream();
  try {
    for await (const row of stream) yield row as RowDataPacket;
  } finally {
    stream.destroy();
  }
}

/** The cumulative digests of one server (the primary, or a replica through its reader). */
export async function readDigests(db: Pick<JobDb, 'query' | 'dialect'>): Promise<DigestRow[]> {
  const q95 = digestQuantile95Column(db.dialect);
  const rows = await db.query<RowDataPacket[]>(
    `SELECT SCHEMA_NAME AS s, DIGEST AS digest, DIGEST_TEXT AS text, COUNT_STAR AS n, SUM_TIMER_WAIT DIV 1000000 AS sum_us,
            MAX_TIMER_WAIT DIV 1000000 AS max_us, ${q95 ? `${q95} DIV 1000000` : 'NULL'} AS p95_us, SUM_ROWS_EXAMINED AS rows_examined,
            FIRST_SEEN AS first_seen, LAST_SEEN AS last_seen
       FROM performance_schema.events_statements_summary_by_digest
      WHERE DIGEST IS NOT NULL AND DIGEST_TEXT IS NOT NULL AND COUNT_STAR > 0`,
  );
  return rows.map((r) => ({
    schema: r.s === null ? null : String(r.s),
    digest: String(r.digest),
    text: String(r.text),
    count: Number(r.n),
    sumUs: Number(r.sum_us),
    maxUs: Number(r.max_us),
    p95Us: r.p95_us === null || r.p95_us === undefined ? null : Number(r.p95_us),
    rowsExamined: Number(r.rows_examined ?? 0),
    firstSeen: r.first_seen instanceof Date ? r.first_seen : null,
    lastSeen: r.last_seen instanceof Date ? r.last_seen : null,
  }));
}

/** Which source to use, in the issue's order, and its statements for the period. Reads only. */
export async function collectPerformanceReview(
  db: Db,
  period: ReviewPeriod,
  opts: CollectPerformanceReviewOptions,
): Promise<PerformanceReviewFacts> {
  const v = await serverVars(db);
  const outputs = v.logOutput.toUpperCase().split(',');
  const attempts: SourceAttempt[] = [];
  const base = {
    flavor: db.dialect.flavor,
    version: v.version,
    slowQueryLog: v.slowQueryLog,
    logOutput: v.logOutput,
    longQueryTimeSeconds: v.longQueryTime,
    performanceSchema: v.performanceSchema,
    now: v.sample,
    samples: (await snapshotsBetween(db, v.serverKey, period.from, period.to)).map((s) => sampleOf(s.takenAt, s.facts)),
  };
  const done = (
    source: PerformanceReviewFacts['source'],
    extra: Partial<PerformanceReviewFacts> = {},
  ): PerformanceReviewFacts => ({
    ...base,
    attempts,
    source,
    statements: [],
    entriesRead: 0,
    truncated: false,
    digestsSince: null,
    digestBaselineAt: null,
    serverKey: v.serverKey,
    ...extra,
  });

  // 1. performance_schema digests.
  if (!v.performanceSchema)
    attempts.push({
      source: 'performance_schema',
      used: false,
      note: 'performance_schema is OFF (turning it on needs the server config and a restart)',
    });
  else {
    const digests = await readDigests(db);
    if (digests.length === 0) {
      attempts.push({
        source: 'performance_schema',
        used: false,
        note: 'performance_schema is ON but has no statement digests (consumer statements_digest off, or the table was just truncated)',
      });
    } else {
      const baseline = await findBaseline(
        db,
        v.serverKey,
        new Date(period.from.getTime() - BASELINE_SLACK_MS),
        new Date(period.from.getTime() + BASELINE_SLACK_MS),
      );
      const { stats, since } = digestStats(digests, baseline, period.from);
      attempts.push({ source: 'performance_schema', used: true, note: '' });
      return done('performance_schema', {
        statements: stats,
        entriesRead: digests.length,
        digestsSince: since,
        digestBaselineAt: baseline?.takenAt ?? null,
        digestRows: digests,
      });
    }
  }

  const slowOff = 'slow_query_log is OFF';
  // 2. mysql.slow_log.
  if (!v.slowQueryLog) attempts.push({ source: 'slow_log_table', used: false, note: slowOff });
  else if (!outputs.includes('TABLE'))
    attempts.push({ source: 'slow_log_table', used: false, note: `log_output is ${v.logOutput}, without TABLE` });
  else {
    const agg = new StatementAggregator();
    let truncated = false;
    try {
      for await (const r of streamRows(
        db,
        `SELECT HOUR(query_time) * 3600 + MINUTE(query_time) * 60 + SECOND(query_time) + MICROSECOND(query_time) / 1000000 AS secs, db, rows_examined, CONVERT(sql_text USING utf8mb4) AS sql_text
           FROM mysql.slow_log WHERE start_time >= ? AND start_time < ?`,
        [period.from, period.to],
      )) {
        if (agg.entries >= opts.maxSlowLogEntries || opts.signal.aborted) {
          truncated = agg.entries >= opts.maxSlowLogEntries;
          break;
        }
        agg.add(
          String(r.sql_text),
          Number(r.secs),
          r.db ? String(r.db) : null,
          r.rows_examined === null ? null : Number(r.rows_examined),
        );
      }
      attempts.push({ source: 'slow_log_table', used: true, note: '' });
      return done('slow_log_table', {
        statements: agg.stats(),
        rawSamples: agg.rawSamples(),
        entriesRead: agg.entries,
        truncated,
      });
    } catch (err) {
      if (opts.signal.aborted) throw err;
      attempts.push({
        source: 'slow_log_table',
        used: false,
        note: `mysql.slow_log not readable: ${maskLiterals((err as Error).message)}`,
      });
    }
  }

  // 3. The slow-log file, when the worker runs on the database host.
  const path = isAbsolute(v.slowLogFile) ? v.slowLogFile : join(v.datadir, v.slowLogFile);
  const workerHost = opts.workerHost ?? hostname();
  let fileNote: string | null = null;
  if (!v.slowQueryLog) fileNote = slowOff;
  else if (!outputs.includes('FILE')) fileNote = `log_output is ${v.logOutput}, without FILE`;
  else if (v.hostname !== workerHost)
    fileNote = `the file ${path} is on the database host ${v.hostname}, not on the worker's host ${workerHost}`;
  else {
    try {
      await access(path, constants.R_OK);
    } catch (err) {
      fileNote = `${path} is not readable from the worker (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`;
    }
  }
  if (fileNote) {
    attempts.push({ source: 'slow_log_file', used: false, note: fileNote });
    return done(null);
  }
  const agg = new StatementAggregator();
  const fromS = period.from.getTime() / 1000;
  const toS = period.to.getTime() / 1000;
  let truncated = false;
  const stop = new AbortController();
  await readSlowLogFile(
    path,
    (e) => {
      if (e.epochSeconds === null || e.epochSeconds < fromS || e.epochSeconds >= toS) return;
      if (agg.entries >= opts.maxSlowLogEntries) {
        truncated = true;
        stop.abort();
        return;
      }
      agg.add(e.sql, e.seconds, e.schema, e.rowsExamined);
    },
    AbortSignal.any([opts.signal, stop.signal]),
  );
  attempts.push({ source: 'slow_log_file', used: true, note: `read ${path}` });
  return done('slow_log_file', {
    statements: agg.stats(),
    rawSamples: agg.rawSamples(),
    entriesRead: agg.entries,
    truncated,
  });
}
