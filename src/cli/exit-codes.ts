import type { RunOutcome } from '../runner/run-outcome.js';

export const EXIT = { ok: 0, failed: 1, usage: 2, locked: 75, config: 78 } as const;

export function exitCodeFor(outcome: RunOutcome): number {
  if (outcome.status === 'failed' || outcome.status === 'interrupted') return EXIT.failed;
  if (outcome.status === 'skipped' && outcome.skippedReason?.startsWith('locked')) return EXIT.locked;
  return EXIT.ok;
}
