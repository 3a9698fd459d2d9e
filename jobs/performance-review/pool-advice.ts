import type { ConnectionSample, ReviewPeriod } from './facts.js';
import type { PerformanceReviewPolicy } from './config.js';

export type PoolAction = 'keep' | 'raise-pool' | 'lower-pool' | 'raise-max-connections';

export interface PoolAdvice {
  /** The month's peak of connections used (all clients). */
  peak: number;
  /** true: the peak was reached inside the period; false: a high-water mark since server start, an upper bound. */
  peakInPeriod: boolean;
  maxConnections: number;
  configuredTotal: number;
  /** What the pools together may use: connectionUsePercentTarget of max_connections. */
  targetTotal: number;
  /** Connections the month needed, with headroom. */
  needed: number;
  action: PoolAction;
  recommendedPoolMax: number;
  recommendedMaxConnections: number | null;
  reasons: string[];
}

/** The month's peak from daily snapshots. Max_used_connections is a high-water mark since server start: a rise
 * between two snapshots (or after a restart inside the period) happened inside the period; otherwise it is an
 * upper bound only. */
export function monthPeak(
  samples: readonly ConnectionSample[],
  period: ReviewPeriod,
): { peak: number; inPeriod: boolean } {
  let attributed = 0;
  let upper = 0;
  samples.forEach((s, i) => {
    upper = Math.max(upper, s.maxUsedConnections);
    attributed = Math.max(attributed, s.threadsConnected);
    const prev = samples[i - 1];
    const startedInPeriod = s.serverStartMs >= period.from.getTime();
    const rose =
      prev !== undefined && (prev.serverStartMs !== s.serverStartMs || s.maxUsedConnections > prev.maxUsedConnections);
    if (startedInPeriod || rose) attributed = Math.max(attributed, s.maxUsedConnections);
  });
  return { peak: upper, inPeriod: attributed >= upper };
}

/** Pure: the pool size the month supports, with the reasoning a DBA can check. */
export function poolAdvice(
  samples: readonly ConnectionSample[],
  period: ReviewPeriod,
  policy: PerformanceReviewPolicy,
): PoolAdvice {
  const latest = samples[samples.length - 1]!;
  const { peak, inPeriod } = monthPeak(samples, period);
  const maxConnections = latest.maxConnections;
  const instances = policy.appInstances;
  const configuredTotal = policy.appPoolMax * instances;
  const targetTotal = Math.floor((maxConnections * policy.connectionUsePercentTarget) / 100);
  const needed = Math.ceil(peak * (1 + policy.poolHeadroomPercent / 100));
  const perInstance = (total: number) => Math.max(1, Math.ceil(total / instances));
  const budgetPerInstance = Math.max(1, Math.floor(targetTotal / instances));
  const pct = (n: number) => `${Math.round((1000 * n) / maxConnections) / 10} %`;
  const reasons = [
    `Peak connections ${inPeriod ? 'in' : 'up to'} ${period.label}: ${peak} of max_connections ${maxConnections} (${pct(peak)})${
      inPeriod ? '' : ': the high-water mark since the server started (no rise seen inside the month), an upper bound'
    }.`,
    `The application pools can open ${configuredTotal} connections (appPoolMax ${policy.appPoolMax} × ${instances} instance${instances > 1 ? 's' : ''}) = ${pct(configuredTotal)} of max_connections; the target keeps them below ${policy.connectionUsePercentTarget} % = ${targetTotal}.`,
    `The month needed ${needed} connections with ${policy.poolHeadroomPercent} % headroom over the peak (the peak counts every client, dbkeeper and admin sessions included).`,
  ];
  let action: PoolAction;
  let recommendedPoolMax = policy.appPoolMax;
  let recommendedMaxConnections: number | null = null;
  if (needed > targetTotal) {
    action = 'raise-max-connections';
    recommendedPoolMax = perInstance(needed);
    recommendedMaxConnections = Math.ceil((needed * 100) / policy.connectionUsePercentTarget);
    reasons.push(
      `The need (${needed}) is above the target share of max_connections (${targetTotal}): raise max_connections to ${recommendedMaxConnections} (memory permitting) and size the pool at ${recommendedPoolMax} per instance.`,
    );
  } else if (configuredTotal > targetTotal) {
    action = 'lower-pool';
    recommendedPoolMax = budgetPerInstance;
    reasons.push(
      `The pools could take ${configuredTotal} connections, more than ${targetTotal}: under a burst the server refuses connections before the pools queue. Lower DB_POOL_MAX to ${recommendedPoolMax} per instance, still ≥ the ${perInstance(needed)} the month needed.`,
    );
  } else if (needed > configuredTotal) {
    action = 'raise-pool';
    recommendedPoolMax = Math.min(budgetPerInstance, perInstance(needed));
    reasons.push(
      `The peak with headroom (${needed}) is above what the pools can open (${configuredTotal}): requests may have queued for a connection. Raise DB_POOL_MAX to ${recommendedPoolMax} per instance.`,
    );
  } else {
    action = 'keep';
    reasons.push(`DB_POOL_MAX ${policy.appPoolMax} covers the month's need and stays within the target: keep it.`);
  }
  return {
    peak,
    peakInPeriod: inPeriod,
    maxConnections,
    configuredTotal,
    targetTotal,
    needed,
    action,
    recommendedPoolMax,
    recommendedMaxConnections,
    reasons,
  };
}
