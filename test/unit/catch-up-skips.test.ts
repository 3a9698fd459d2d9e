import { describe, expect, it } from 'vitest';
import { coversSlot } from '../../src/runner/held-lock-skip.js';
import type { RunSkip } from '../../src/core/run-skip.js';
import { catchUpRetries, skipText } from '../../src/runner/run-skip.js';
import { planCatchUp } from '../../src/scheduler/catch-up.js';

const at = (s: string) => new Date(s);
const DAILY = { catchUp: true, schedule: '15 3 * * *', timezone: 'Etc/UTC' };

describe('which skips catch-up retries', () => {
  it.each<[RunSkip, boolean, string]>([
    [{ kind: 'locked', holder: 'db-2:77' }, true, 'locked by db-2:77'],
    [{ kind: 'locked', holder: 'another session (connection 12)' }, true, 'locked by another session (connection 12)'],
    [{ kind: 'slot-done' }, false, 'slot already ran'],
    [{ kind: 'covered-by-manual', runId: 42 }, false, "covered by manual run #42 (it was running at the slot's time)"],
  ])('%o → retried: %s', (skip, retried, text) => {
    expect(catchUpRetries(skip)).toBe(retried);
    expect(skipText(skip)).toBe(text);
  });
});

describe('coversSlot: only a real manual run already running at the slot time covers it', () => {
  const slot = { trigger: 'schedule' as const, scheduledFor: at('2026-05-02T03:15Z') };
  it.each([
    [
      'manual, started before the slot',
      { trigger: 'manual', dryRun: false, startedAt: at('2026-05-02T03:00Z') },
      slot,
      true,
    ],
    [
      'manual, started at the slot instant',
      { trigger: 'manual', dryRun: false, startedAt: at('2026-05-02T03:15Z') },
      slot,
      true,
    ],
    [
      'manual, started after the slot (a catch-up of an old slot)',
      { trigger: 'manual', dryRun: false, startedAt: at('2026-05-02T03:16Z') },
      slot,
      false,
    ],
    [
      'a manual dry run (it holds no lock; never counts)',
      { trigger: 'manual', dryRun: true, startedAt: at('2026-05-02T03:00Z') },
      slot,
      false,
    ],
    [
      'another scheduled run (an older slot still running)',
      { trigger: 'schedule', dryRun: false, startedAt: at('2026-05-01T03:15Z') },
      slot,
      false,
    ],
    ['a catch-up run', { trigger: 'catch-up', dryRun: false, startedAt: at('2026-05-02T03:00Z') }, slot, false],
    [
      'the blocked run is itself manual',
      { trigger: 'manual', dryRun: false, startedAt: at('2026-05-02T03:00Z') },
      { ...slot, trigger: 'manual' as const },
      false,
    ],
  ] as const)('%s → %s', (_name, holder, blocked, covers) => {
    expect(coversSlot(holder, blocked)).toBe(covers);
  });
});

describe('planCatchUp after a skipped slot', () => {
  const now = at('2026-05-02T09:00Z');
  it('covered-by-manual: the slot has a skipped row, so it is done and not run again', () => {
    const d = planCatchUp({ lastDone: at('2026-05-02T03:15Z'), attemptsSince: [] }, DAILY, now);
    expect(d).toMatchObject({ run: false, reason: expect.stringMatching(/^up to date/) });
  });
  it('locked: the slot has no row, so once the lock is free the latest slot runs once', () => {
    const d = planCatchUp({ lastDone: at('2026-05-01T03:15Z'), attemptsSince: [] }, DAILY, now);
    expect(d).toMatchObject({ run: true, slot: at('2026-05-02T03:15Z'), missedSlots: 1 });
  });
  it('locked by a run of the same slot on another worker: that run has the row, nothing to retry', () => {
    const d = planCatchUp(
      {
        lastDone: at('2026-05-01T03:15Z'),
        attemptsSince: [{ scheduledFor: at('2026-05-02T03:15Z'), status: 'running' }],
      },
      DAILY,
      now,
    );
    expect(d).toMatchObject({ run: false });
  });
});
