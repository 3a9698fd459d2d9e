/** The one retry policy: wait `initialMs * 2^attempt` before retry `attempt` (0-based), capped at `maxMs`. */
export interface Backoff {
  initialMs: number;
  /** The longest wait; none = uncapped (the caller's config bounds it). */
  maxMs?: number;
}

/** The wait before retry `attempt` (0, 1, 2, …): 0 for a zero initial wait, never NaN or above maxMs. */
export function backoffDelay(attempt: number, policy: Backoff): number {
  const max = policy.maxMs ?? Number.POSITIVE_INFINITY;
  if (policy.initialMs <= 0) return 0;
  return Math.min(policy.initialMs * 2 ** Math.max(0, attempt), max);
}
