import { describe, expect, it } from 'vitest';
import { indexKey } from '../../jobs/index-review/facts.js';
import { buildUsageEvidence, type UsageSample } from '../../jobs/index-review/usage-evidence.js';

const NOW = new Date('2026-03-01T04:30:00Z');
const WINDOW_START = new Date('2026-01-25T04:30:00Z');
const BOOT_A = new Date('2025-12-01T00:00:00Z');
const BOOT_B = new Date('2026-02-10T12:00:00Z');
const day = (d: string) => new Date(`${d}T04:00:00Z`);
const s = (takenAt: Date, serverStartedAt: Date, reads: number, index = 'ix'): UsageSample => ({
  schema: 's',
  table: 't',
  index,
  takenAt,
  serverStartedAt,
  reads,
});
const evidence = (samples: UsageSample[], index = 'ix') =>
  buildUsageEvidence(samples, WINDOW_START, NOW).get(indexKey('s', 't', index));

describe('usage evidence from snapshots', () => {
  it('same boot: observed time and the counter difference', () => {
    expect(
      evidence([
        s(day('2026-02-01'), BOOT_A, 100),
        s(day('2026-02-11'), BOOT_A, 100),
        s(day('2026-02-21'), BOOT_A, 100),
      ]),
    ).toEqual({ reads: 0, observedDays: 20 });
    expect(evidence([s(day('2026-02-01'), BOOT_A, 100), s(day('2026-02-21'), BOOT_A, 130)])).toEqual({
      reads: 30,
      observedDays: 20,
    });
  });

  it('a restart between snapshots adds the reads since the restart but no observed time', () => {
    const r = evidence([
      s(day('2026-02-01'), BOOT_A, 100),
      s(day('2026-02-09'), BOOT_A, 100),
      s(day('2026-02-11'), BOOT_B, 7),
      s(day('2026-02-21'), BOOT_B, 7),
    ]);
    expect(r).toEqual({ reads: 7, observedDays: 18 });
  });

  it('a restart hidden by a counter that grew back past its old value is still a restart', () => {
    const r = evidence([s(day('2026-02-01'), BOOT_A, 100), s(day('2026-02-11'), BOOT_B, 150)]);
    expect(r).toEqual({ reads: 150, observedDays: 0 });
  });

  it('a reset without restart (FLUSH, userstat toggled) adds reads, no observed time', () => {
    expect(evidence([s(day('2026-02-01'), BOOT_A, 100), s(day('2026-02-11'), BOOT_A, 4)])).toEqual({
      reads: 4,
      observedDays: 0,
    });
  });

  it('boot times a few seconds apart (clock skew) are one boot', () => {
    const skewed = new Date(BOOT_A.getTime() + 90_000);
    expect(evidence([s(day('2026-02-01'), BOOT_A, 1), s(day('2026-02-08'), skewed, 1)])).toEqual({
      reads: 0,
      observedDays: 7,
    });
  });

  it('one snapshot is no observed time; snapshots outside the window are ignored', () => {
    expect(evidence([s(day('2026-02-01'), BOOT_A, 0)])).toEqual({ reads: 0, observedDays: 0 });
    expect(evidence([s(day('2026-01-01'), BOOT_A, 0), s(day('2026-02-01'), BOOT_A, 50)])).toEqual({
      reads: 0,
      observedDays: 0,
    });
    expect(evidence([s(new Date('2026-03-02T00:00:00Z'), BOOT_A, 0)])).toBeUndefined();
  });

  it('indexes are kept apart and samples may arrive in any order', () => {
    const out = buildUsageEvidence(
      [
        s(day('2026-02-21'), BOOT_A, 5, 'a'),
        s(day('2026-02-01'), BOOT_A, 9, 'b'),
        s(day('2026-02-01'), BOOT_A, 0, 'a'),
        s(day('2026-02-21'), BOOT_A, 9, 'b'),
      ],
      WINDOW_START,
      NOW,
    );
    expect(out.get(indexKey('s', 't', 'a'))).toEqual({ reads: 5, observedDays: 20 });
    expect(out.get(indexKey('s', 't', 'b'))).toEqual({ reads: 0, observedDays: 20 });
  });
});
