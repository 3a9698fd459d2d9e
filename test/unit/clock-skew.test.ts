import { describe, expect, it } from 'vitest';
import { parseServerUtc, readClocks } from '../../src/db/server-clock.js';
import { outcomeJson } from '../../src/cli/cli-main.js';
import { formatOutcome } from '../../src/cli/format-outcome.js';
import type { RunRow } from '../../src/db/run-history.js';
import { buildReportView } from '../../src/report/report-view.js';
import { outcomeOfRow } from '../../src/runner/run-record.js';
import { clockJson, evaluationTime, judgeClockSkew, withSkewWarning } from '../../src/runner/clock-skew.js';
import type { RunOutcome } from '../../src/runner/run-outcome.js';

const server = new Date('2026-11-30T03:15:00.000Z');
const at = (ms: number) => ({ host: new Date(server.getTime() + ms), server });

describe('judgeClockSkew', () => {
  it.each([
    ['in sync', 0, true, 'ok'],
    ['60 s fast, at the limit', 60_000, true, 'ok'],
    ['60 s slow, at the limit', -60_000, true, 'ok'],
    ['60.001 s fast, a writing run', 60_001, true, 'refuse'],
    ['10 min slow, a writing run', -600_000, true, 'refuse'],
    ['10 min fast, read-only or dry run', 600_000, false, 'warn'],
  ] as const)('%s: %s', (_name, skewMs, writes, kind) => {
    const v = judgeClockSkew(at(skewMs), 60, writes);
    expect(v.kind).toBe(kind);
    expect(v.clock.skewMs).toBe(skewMs);
  });

  it('the refusal names both clocks (ISO), the skew and the limit', () => {
    const v = judgeClockSkew(at(600_000), 60, true);
    expect(v.kind === 'refuse' && v.message).toBe(
      "host clock 2026-11-30T03:25:00.000Z is 600.000 s ahead of the server clock 2026-11-30T03:15:00.000Z (guards.maxClockSkewSeconds 60): nothing done; fix the host's time sync (NTP) or raise the limit",
    );
    const slow = judgeClockSkew(at(-1500), 1, false);
    expect(slow.kind === 'warn' && slow.warning).toMatch(
      /^host clock 2026-11-30T03:14:58\.500Z is 1\.500 s behind the server clock 2026-11-30T03:15:00\.000Z/,
    );
  });

  it('the evaluation time is the server clock, or --at; never the host clock', () => {
    expect(evaluationTime(at(600_000))).toEqual(server);
    const preview = new Date('2027-01-01T00:00:00Z');
    expect(evaluationTime(at(600_000), preview)).toEqual(preview);
  });

  it('a warning turns ok into warning and keeps the job warnings', () => {
    expect(withSkewWarning({ status: 'ok', summary: 's' }, 'w')).toEqual({
      status: 'warning',
      summary: 's',
      warnings: ['w'],
    });
    expect(withSkewWarning({ status: 'skipped', summary: 's', warnings: ['a'] }, 'w')).toEqual({
      status: 'skipped',
      summary: 's',
      warnings: ['a', 'w'],
    });
  });
});

describe('server clock reading', () => {
  it('parses UTC_TIMESTAMP(6) text to the millisecond, whatever the host zone', () => {
    expect(parseServerUtc('2026-11-30 03:15:00.123456').toISOString()).toBe('2026-11-30T03:15:00.123Z');
    expect(parseServerUtc('2028-02-29 23:59:59').toISOString()).toBe('2028-02-29T23:59:59.000Z');
    expect(() => parseServerUtc('NULL')).toThrow(/UTC_TIMESTAMP/);
  });

  it('takes the host clock at the midpoint of the server read', async () => {
    let t = 1000;
    const host = () => new Date((t += 10));
    const conn = { query: async () => [[{ utc: '1970-01-01 00:00:01.000000' }]] } as never;
    const c = await readClocks(conn, host);
    expect(c).toEqual({ host: new Date(1015), server: new Date(1000) });
  });
});

describe('guards.maxClockSkewSeconds', () => {
  it('defaults to 60 and must be a positive whole number of seconds', async () => {
    const { loadConfig } = await import('../../src/config/load-config.js');
    const { ALL_JOBS } = await import('../../jobs/index.js');
    expect(loadConfig({ jobs: ALL_JOBS, env: {} }).guards.maxClockSkewSeconds).toBe(60);
    for (const bad of [0, -5, 1.5, '60'])
      expect(() =>
        loadConfig({ jobs: ALL_JOBS, env: {}, overrides: { guards: { maxClockSkewSeconds: bad } } }),
      ).toThrow(/guards\.maxClockSkewSeconds: /);
  });
});

describe('the clocks in what people read', () => {
  const clock = {
    host: new Date('2026-11-30T03:15:00.250Z'),
    server: new Date('2026-11-30T03:15:00.000Z'),
    skewMs: 250,
  };
  const o: RunOutcome = {
    job: 'ping',
    runId: 1,
    trigger: 'manual',
    scheduledFor: clock.host,
    dryRun: false,
    evaluatedAt: clock.server,
    status: 'ok',
    startedAt: clock.host,
    finishedAt: clock.host,
    durationMs: 0,
    result: { status: 'ok', summary: 'up' },
    host: 'w1',
    pid: 1,
    clock,
  };

  it('the terminal output, the --json run facts and the report show both clocks and the skew', () => {
    expect(formatOutcome(o)).toContain(
      'clock: host clock 2026-11-30T03:15:00.250Z is 0.250 s ahead of the server clock 2026-11-30T03:15:00.000Z',
    );
    expect((outcomeJson(o).run as RunOutcome).clock).toEqual(clock);
    const view = buildReportView({
      environment: 'test',
      period: 'daily',
      kind: 'summary',
      generatedAt: clock.host,
      timezone: 'Etc/UTC',
      jobs: [{ outcome: o, previous: null }],
    });
    expect(view.jobs[0]!.meta).toContain(
      'clock skew +0.250 s (host 2026-11-30T03:15:00.250Z, server 2026-11-30T03:15:00.000Z)',
    );
  });

  it('report --preview restores the clocks from the run row summary', () => {
    const row: RunRow = {
      id: 1,
      job: 'ping',
      scheduledFor: clock.host,
      trigger: 'manual',
      dryRun: false,
      evaluatedAt: clock.server,
      host: 'w1',
      pid: 1,
      connectionId: 9,
      startedAt: clock.host,
      finishedAt: clock.host,
      status: 'ok',
      summary: { status: 'ok', summary: 'up', clock: clockJson(clock) },
      errorClass: null,
      errorMessage: null,
      skip: null,
    };
    expect(outcomeOfRow(row).clock).toEqual(clock);
  });
});
