/** Why the runner did not run a job, as data (the text for people is derived from it).
 * Adding a kind (`replica-lagging`, `contended` are planned): add it to this union and to isRunSkip, then the
 * compiler asks for its entry in RETRIED_BY_CATCH_UP and skipText (src/runner/run-skip.ts), the CLI's exit code
 * per kind (src/cli/exit-codes.ts); add docs/scheduler.md's row. A skipped slot gets a row only when the slot has
 * none (UNIQUE(job, scheduled_for)). */
export type RunSkip =
  /** Another session holds the job's named lock: a dbkeeper run of another slot, or any other session. */
  | { kind: 'locked'; holder: string }
  /** This (job, scheduled_for) slot already has a row: it ran, or is running, elsewhere. */
  | { kind: 'slot-done' }
  /** A real manual run of the job was running at the slot's time: it did the slot's work. */
  | { kind: 'covered-by-manual'; runId: number };

export type RunSkipKind = RunSkip['kind'];

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
