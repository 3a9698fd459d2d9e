import { describe, expect, it } from 'vitest';
import { exitCodeFor } from '../../src/cli/exit-codes.js';
import { EXIT } from '../../src/core/exit-codes.js';
import type { RunRow } from '../../src/db/run-history.js';
import type { OutcomeStatus, RunOutcome } from '../../src/runner/run-outcome.js';
import { outcomeOfRow, runEndOf, summaryLineOfRow } from '../../src/runner/run-record.js';
import { isRunSkip, type RunSkip } from '../../src/core/run-skip.js';

const at = new Date('2026-11-30T03:15:00.000Z');
const end = new Date('2026-11-30T03:15:02.500Z');
const clock = { host: at, server: new Date('2026-11-30T03:14:59.000Z'), skewMs: 1000 };

function outcome(status: OutcomeStatus, rest: Partial<RunOutcome> = {}): RunOutcome {
  return {
    job: 'ping',
    runId: 5,
    trigger: 'schedule',
    scheduledFor: at,
    dryRun: false,
    evaluatedAt: clock.server,
    status,
    startedAt: at,
    finishedAt: end,
    durationMs: 2500,
    result: null,
    host: 'w1',
    pid: 7,
    ...rest,
  };
}

/** The row finishRun leaves: the outcome's columns, read back as the database returns them. */
function rowOf(o: RunOutcome): RunRow {
  const e = runEndOf(o);
  return {
    id: o.runId!,
    job: o.job,
    scheduledFor: o.scheduledFor,
    trigger: o.trigger,
    dryRun: o.dryRun,
    evaluatedAt: e.evaluatedAt,
    host: o.host,
    pid: o.pid,
    connectionId: 3,
    startedAt: o.startedAt,
    finishedAt: e.finishedAt,
    status: e.status,
    summary: e.summary === null ? null : JSON.parse(JSON.stringify(e.summary)),
    errorClass: e.errorClass,
    errorMessage: e.errorMessage,
    skip: o.skip ?? null,
  };
}

describe('row ⇄ outcome', () => {
  it.each<[string, RunOutcome]>([
    ['ok', outcome('ok', { result: { status: 'ok', summary: 'up 3 h' }, clock })],
    [
      'warning',
      outcome('warning', {
        result: { status: 'warning', summary: 'read_only is ON', warnings: ['read_only is ON'] },
        clock,
      }),
    ],
    // The clock is stored beside a result only (summary.clock): a failed run without a result keeps none.
    [
      'failed',
      outcome('failed', { error: { class: 'ClockSkew', message: "host clock is 600 s ahead: 'masked' stays '?'" } }),
    ],
    [
      'interrupted with a result',
      outcome('interrupted', {
        result: { status: 'ok', summary: 'stopped early' },
        error: { class: 'Error', message: 'stopped (aborted: x)' },
      }),
    ],
    [
      'skipped (covered)',
      outcome('skipped', {
        skip: { kind: 'covered-by-manual', runId: 4 },
        skippedReason: "covered by manual run #4 (it was running at the slot's time)",
      }),
    ],
  ])('%s: the stored record reads back as the same outcome', (_, o) => {
    expect(outcomeOfRow(rowOf(o))).toEqual(o);
  });

  it('stores a warning as warning, and the error as its class and message apart', () => {
    expect(runEndOf(outcome('warning', { result: { status: 'warning', summary: 's' } }))).toMatchObject({
      status: 'warning',
      errorClass: null,
      errorMessage: null,
    });
    expect(runEndOf(outcome('failed', { error: { class: 'TypeError', message: 'a: b' } }))).toMatchObject({
      status: 'failed',
      errorClass: 'TypeError',
      errorMessage: 'a: b',
    });
  });

  it('reads the status from the status column, never from the summary', () => {
    const row = rowOf(outcome('ok', { result: { status: 'ok', summary: 's' } }));
    expect(outcomeOfRow({ ...row, summary: { status: 'warning', summary: 's' } }).status).toBe('ok');
    expect(outcomeOfRow({ ...row, status: 'warning' }).status).toBe('warning');
    // A row still running has not ended: shown as interrupted, never as done.
    expect(outcomeOfRow({ ...row, status: 'running', finishedAt: null }).status).toBe('interrupted');
  });

  it('an error message that looks like "Class: message" is kept whole', () => {
    const row = rowOf(outcome('failed', { error: { class: 'Error', message: 'TypeError: inner' } }));
    expect(outcomeOfRow(row).error).toEqual({ class: 'Error', message: 'TypeError: inner' });
  });

  it('the status line: the result, else the error, else why it was skipped', () => {
    expect(summaryLineOfRow(rowOf(outcome('ok', { result: { status: 'ok', summary: 'up 3 h' } })))).toBe('up 3 h');
    expect(summaryLineOfRow(rowOf(outcome('failed', { error: { class: 'ClockSkew', message: 'host ahead' } })))).toBe(
      'ClockSkew: host ahead',
    );
    expect(summaryLineOfRow(rowOf(outcome('skipped', { skip: { kind: 'covered-by-manual', runId: 4 } })))).toBe(
      "covered by manual run #4 (it was running at the slot's time)",
    );
  });
});

describe('skip_reason read back', () => {
  it.each<[unknown, boolean]>([
    [{ kind: 'locked', holder: 'db-2:77' }, true],
    [{ kind: 'slot-done' }, true],
    [{ kind: 'covered-by-manual', runId: 4 }, true],
    [{ kind: 'covered-by-manual', runId: '4' }, false],
    [{ kind: 'replica-lagging', seconds: 30 }, false],
    ['locked', false],
    [null, false],
  ])('%o is a known skip: %s', (value, known) => {
    expect(isRunSkip(value)).toBe(known);
  });
});

describe('exit codes per status', () => {
  it.each<[OutcomeStatus, RunSkip | undefined, number]>([
    ['ok', undefined, EXIT.ok],
    ['warning', undefined, EXIT.ok],
    ['failed', undefined, EXIT.failed],
    ['interrupted', undefined, EXIT.failed],
    ['skipped', { kind: 'locked', holder: 'db-2:77' }, EXIT.locked],
    ['skipped', { kind: 'slot-done' }, EXIT.ok],
    ['skipped', { kind: 'covered-by-manual', runId: 4 }, EXIT.ok],
  ])('%s %o → %i', (status, skip, code) => {
    // No skippedReason: the code comes from the typed skip, not from its text.
    expect(exitCodeFor(outcome(status, skip ? { skip } : {}))).toBe(code);
  });

  it('a skip whose text starts with "locked" but whose kind is not is not 75', () => {
    expect(exitCodeFor(outcome('skipped', { skip: { kind: 'slot-done' }, skippedReason: 'locked by nobody' }))).toBe(
      EXIT.ok,
    );
  });
});
