/** Why the runner did not run a job, as data (the text for people is derived from it).
 * Adding a kind (`replica-lagging`, `contended` are planned): add it to this union, then the compiler asks for its
 * entry in RETRIED_BY_CATCH_UP, skipText and the CLI's exit code per kind (src/cli/exit-codes.ts), and
 * docs/scheduler.md's table. A skipped slot gets a row only when the slot has none (UNIQUE(job, scheduled_for)). */
export type RunSkip =
  /** Another session holds the job's named lock: a dbkeeper run of another slot, or any other session. */
  | { kind: 'locked'; holder: string }
  /** This (job, scheduled_for) slot already has a row: it ran, or is running, elsewhere. */
  | { kind: 'slot-done' }
  /** A real manual run of the job was running at the slot's time: it did the slot's work. */
  | { kind: 'covered-by-manual'; runId: number };

export type RunSkipKind = RunSkip['kind'];

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

/** A skip as read back from `skip_reason` JSON: a kind this version knows, with its fields. */
export function isRunSkip(value: unknown): value is RunSkip {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  switch (v.kind) {
    case 'locked':
      return typeof v.holder === 'string';
    case 'slot-done':
      return true;
    case 'covered-by-manual':
      return typeof v.runId === 'number';
    default:
      return false;
  }
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
