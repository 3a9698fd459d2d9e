import type { RunSkip, RunSkipKind } from '../core/run-skip.js';

/** Which skips of a scheduled slot catch-up retries, once the lock is free. `slot-done` and `covered-by-manual`
 * are done: the slot has a row. `locked` left the slot without one: its work has not been done. */
const RETRIED_BY_CATCH_UP: Record<RunSkipKind, boolean> = {
  locked: true,
  'slot-done': false,
  'covered-by-manual': false,
};

export function catchUpRetries(skip: RunSkip): boolean {
  return RETRIED_BY_CATCH_UP[skip.kind];
}

/** The one-line reason the CLI and the report show (`skippedReason`). */
export function skipText(skip: RunSkip): string {
  switch (skip.kind) {
    case 'locked':
      return `locked by ${skip.holder}`;
    case 'slot-done':
      return 'slot already ran';
    case 'covered-by-manual':
      return `covered by manual run #${skip.runId} (it was running at the slot's time)`;
  }
}
