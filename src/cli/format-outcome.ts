import { formatSeconds } from '../core/number-format.js';
import { describeSkew } from '../runner/clock-skew.js';
import type { RunOutcome } from '../runner/run-outcome.js';

/** A run's outcome as a person reads it at a terminal. */
export function formatOutcome(o: RunOutcome): string {
  const lines = [
    `${o.job}: ${o.status.toUpperCase()}${o.dryRun ? ' (dry run)' : ''} in ${formatSeconds(o.durationMs, 1)}`,
  ];
  if (o.skippedReason) lines.push(`  skipped: ${o.skippedReason}`);
  if (o.result) {
    lines.push(`  ${o.result.summary}`);
    for (const w of o.result.warnings ?? []) lines.push(`  warning: ${w}`);
    for (const s of o.result.skipped ?? []) lines.push(`  skipped ${s.target}: ${s.reason}`);
  }
  if (o.error) lines.push(`  error: ${o.error.class}: ${o.error.message}`);
  if (o.clock) lines.push(`  clock: ${describeSkew(o.clock)}`);
  return lines.join('\n');
}
