// The replicas' statement sources (performance_schema digests, else mysql.slow_log), read on each replica through
// ctx.replicas (bounded by the replica link: connect and every query). A replica that cannot be read is a warning.
import type { RowDataPacket } from 'mysql2/promise';
import type { JobContext } from '../../src/job/job-contract.js';
import type { ReplicaReader } from '../../src/replica/job-replicas.js';
import { maskLiterals } from '../../src/log/mask-literals.js';
import { SERVER_IDENTITY_COLUMNS, serverKeyOf } from '../health/facts.js';
import { readDigests } from './collect.js';
import { BASELINE_SLACK_MS, baselineDue, digestStats, findBaseline, storeBaseline } from './digest-baseline.js';
import type { PerformanceReviewFacts, ReviewPeriod, SourceAttempt } from './facts.js';
import { mergeReplicaReviews, type MergedReview, type ReplicaReview } from './node-statements.js';
import { StatementAggregator } from './statement-stats.js';
import type { PerformanceReviewConfig } from './config.js';

type Ctx = Pick<
  JobContext<PerformanceReviewConfig>,
  'db' | 'replicas' | 'now' | 'signal' | 'dryRun' | 'log' | 'config'
>;

const msg = (err: unknown) => maskLiterals((err as Error).message ?? String(err));

/** One replica's review. Its digest baseline is stored on the primary under the replica's own server identity
 * (host:port/server_id as the replica reports it; server_id differs on every node of a replication topology), so
 * a replica's counters never enter the primary's baseline. */
async function reviewReplica(ctx: Ctx, reader: ReplicaReader, period: ReviewPeriod): Promise<ReplicaReview> {
  const [v] = await reader.query<RowDataPacket[]>(
    `SELECT @@performance_schema AS ps, @@slow_query_log AS sql_on, @@log_output AS log_output, ${SERVER_IDENTITY_COLUMNS}`,
  );
  const serverKey = serverKeyOf(v!);
  const attempts: SourceAttempt[] = [];
  const review = (extra: Partial<ReplicaReview>): ReplicaReview => ({
    node: reader.node,
    source: null,
    attempts,
    entriesRead: 0,
    truncated: false,
    digestsSince: null,
    digestBaselineAt: null,
    baselineStored: false,
    unreachable: null,
    statements: [],
    ...extra,
  });

  if (Number(v!.ps) !== 1)
    attempts.push({ source: 'performance_schema', used: false, note: 'performance_schema is OFF on this replica' });
  else {
    let digests: Awaited<ReturnType<typeof readDigests>> = [];
    try {
      digests = await readDigests(reader);
    } catch (err) {
      if (ctx.signal.aborted) throw err;
      attempts.push({ source: 'performance_schema', used: false, note: `digests not readable: ${msg(err)}` });
    }
    if (digests.length > 0) {
      const from = period.from.getTime();
      const baseline = await findBaseline(
        ctx.db,
        serverKey,
        new Date(from - BASELINE_SLACK_MS),
        new Date(from + BASELINE_SLACK_MS),
      );
      const { stats, since } = digestStats(digests, baseline, period.from);
      let baselineStored = false;
      if (baselineDue(period, ctx.now) && !ctx.dryRun && !ctx.signal.aborted) {
        await storeBaseline(ctx.db, serverKey, ctx.now, digests, ctx.signal);
        baselineStored = true;
      }
      attempts.push({ source: 'performance_schema', used: true, note: '' });
      return review({
        source: 'performance_schema',
        statements: stats,
        entriesRead: digests.length,
        digestsSince: since,
        digestBaselineAt: baseline?.takenAt ?? null,
        baselineStored,
      });
    }
    if (attempts.length === 0)
      attempts.push({ source: 'performance_schema', used: false, note: 'performance_schema has no statement digests' });
  }

  const outputs = String(v!.log_output).toUpperCase().split(',');
  if (Number(v!.sql_on) !== 1)
    attempts.push({ source: 'slow_log_table', used: false, note: 'slow_query_log is OFF on this replica' });
  else if (!outputs.includes('TABLE'))
    attempts.push({ source: 'slow_log_table', used: false, note: `log_output is ${String(v!.log_output)}` });
  else {
    // The reader has no row stream: one bounded result, at most maxSlowLogEntries + 1 rows (the +1 says truncated).
    const max = ctx.config.maxSlowLogEntries;
    try {
      const rows = await reader.query<RowDataPacket[]>(
        `SELECT HOUR(query_time) * 3600 + MINUTE(query_time) * 60 + SECOND(query_time) + MICROSECOND(query_time) / 1000000 AS secs, db, rows_examined, CONVERT(sql_text USING utf8mb4) AS sql_text
           FROM mysql.slow_log WHERE start_time >= ? AND start_time < ? LIMIT ?`,
        [period.from, period.to, max + 1],
      );
      const agg = new StatementAggregator();
      for (const r of rows.slice(0, max))
        agg.add(
          String(r.sql_text),
          Number(r.secs),
          r.db ? String(r.db) : null,
          r.rows_examined === null ? null : Number(r.rows_examined),
        );
      attempts.push({ source: 'slow_log_table', used: true, note: '' });
      return review({
        source: 'slow_log_table',
        statements: agg.stats(),
        entriesRead: agg.entries,
        truncated: rows.length > max,
      });
    } catch (err) {
      if (ctx.signal.aborted) throw err;
      attempts.push({ source: 'slow_log_table', used: false, note: `mysql.slow_log not readable: ${msg(err)}` });
    }
  }
  attempts.push({ source: 'slow_log_file', used: false, note: 'a slow-log file is read only on the primary' });
  return review({});
}

/** Every configured replica's review, in config order; an unreachable one is a review with `unreachable` set. */
export async function collectReplicaStatements(ctx: Ctx, period: ReviewPeriod): Promise<ReplicaReview[]> {
  const out: ReplicaReview[] = [];
  for (const node of ctx.replicas.nodes) {
    if (ctx.signal.aborted) break;
    try {
      out.push(await ctx.replicas.onNode(node, (reader) => reviewReplica(ctx, reader, period)));
    } catch (err) {
      if (ctx.signal.aborted) throw err;
      const unreachable = msg(err);
      ctx.log.warn({ replica: node, err: unreachable }, 'replica statements not readable');
      out.push({
        node,
        source: null,
        attempts: [],
        entriesRead: 0,
        truncated: false,
        digestsSince: null,
        digestBaselineAt: null,
        baselineStored: false,
        unreachable,
        statements: [],
      });
    }
  }
  return out;
}

/** The run body's one call: without replicas the result as it was; with them, the replicas' statements merged in. */
export async function withReplicaStatements<R extends Parameters<typeof mergeReplicaReviews>[0]>(
  ctx: Ctx,
  period: ReviewPeriod,
  facts: Pick<PerformanceReviewFacts, 'statements'>,
  result: R,
): Promise<R | MergedReview<R>> {
  if (ctx.replicas.nodes.length === 0) return result;
  const replicas = await collectReplicaStatements(ctx, period);
  return mergeReplicaReviews(result, facts.statements, replicas, ctx.config.topStatements);
}
