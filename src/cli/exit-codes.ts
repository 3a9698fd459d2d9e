import { EXIT } from '../core/exit-codes.js';
import type { RunSkipKind } from '../core/run-skip.js';
import type { OutcomeStatus, RunOutcome } from '../runner/run-outcome.js';

/** A run's exit code by its status: a warning is a run that did its work (0; the output says what needs a person). */
const EXIT_BY_STATUS: Record<Exclude<OutcomeStatus, 'skipped'>, number> = {
  ok: EXIT.ok,
  warning: EXIT.ok,
  failed: EXIT.failed,
  interrupted: EXIT.failed,
};

/** A skipped run's exit code by why: 75 (EX_TEMPFAIL) when another session holds the lock, so a wrapper can retry. */
const EXIT_BY_SKIP: Record<RunSkipKind, number> = {
  locked: EXIT.locked,
  'slot-done': EXIT.ok,
  'covered-by-manual': EXIT.ok,
};

export function exitCodeFor(outcome: Pick<RunOutcome, 'status' | 'skip'>): number {
  if (outcome.status !== 'skipped') return EXIT_BY_STATUS[outcome.status];
  return outcome.skip ? EXIT_BY_SKIP[outcome.skip.kind] : EXIT.ok;
}
