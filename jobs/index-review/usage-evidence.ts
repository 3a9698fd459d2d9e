/** Usage evidence from stored counter snapshots: PURE. Counters are cumulative and reset on restart (and on
 * FLUSH / re-enabling), so only consecutive snapshots of one uninterrupted counter count as observed time. */
import { indexKey, type IndexEvidence } from './facts.js';

export interface UsageSample {
  schema: string;
  table: string;
  index: string;
  takenAt: Date;
  /** takenAt − server uptime: changes when the server restarted. */
  serverStartedAt: Date;
  reads: number;
}

/** Two boot times closer than this are the same boot (clock skew, rounding). */
export const RESTART_TOLERANCE_MS = 120_000;
const DAY_MS = 86_400_000;

/**
 * Per index: reads and observed days within [windowStart, now].
 * - same boot, counter not lower: observed time += gap, reads += difference;
 * - restart or reset between two snapshots: reads += the later value (reads since the reset), observed time += 0
 *   (when the counting restarted is not known; never overstate the window).
 */
export function buildUsageEvidence(
  samples: readonly UsageSample[],
  windowStart: Date,
  now: Date,
): Map<string, IndexEvidence> {
  const byIndex = new Map<string, UsageSample[]>();
  for (const s of samples) {
    const t = s.takenAt.getTime();
    if (t < windowStart.getTime() || t > now.getTime()) continue;
    const key = indexKey(s.schema, s.table, s.index);
    const list = byIndex.get(key);
    if (list) list.push(s);
    else byIndex.set(key, [s]);
  }
  const out = new Map<string, IndexEvidence>();
  for (const [key, list] of byIndex) {
    list.sort((a, b) => a.takenAt.getTime() - b.takenAt.getTime());
    let reads = 0;
    let observedMs = 0;
    for (let i = 1; i < list.length; i += 1) {
      const p = list[i - 1]!;
      const q = list[i]!;
      const sameBoot = Math.abs(q.serverStartedAt.getTime() - p.serverStartedAt.getTime()) <= RESTART_TOLERANCE_MS;
      if (sameBoot && q.reads >= p.reads) {
        observedMs += q.takenAt.getTime() - p.takenAt.getTime();
        reads += q.reads - p.reads;
      } else {
        reads += q.reads;
      }
    }
    out.set(key, { reads, observedDays: observedMs / DAY_MS });
  }
  return out;
}

/** The widest observed span among the indexes (what the report calls the evidence window). */
export function observedDaysRange(evidence: Map<string, IndexEvidence>): { min: number; max: number } | null {
  if (evidence.size === 0) return null;
  let min = Infinity;
  let max = 0;
  for (const e of evidence.values()) {
    min = Math.min(min, e.observedDays);
    max = Math.max(max, e.observedDays);
  }
  return { min, max };
}

/** The widest observed span in days; null when there is no usage evidence yet. */
export function daysObservedOf(evidence: Map<string, IndexEvidence>): number | null {
  const range = observedDaysRange(evidence);
  return range && range.max > 0 ? range.max : null;
}
