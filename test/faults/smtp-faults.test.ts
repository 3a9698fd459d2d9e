import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ALL_JOBS } from '../../jobs/index.js';
import { createReporter } from '../../src/report/create-reporter.js';
import type { RunOutcome } from '../../src/runner/run-outcome.js';
import { capturingLogger, createTestSchema, testConfig, type TestSchema } from '../helpers/test-db.js';
import { cliConfig } from './helpers/cli-config.js';
import { FaultRecorder } from './helpers/fault-results.js';
import { FaultSmtp, type SmtpMode } from './helpers/fault-smtp.js';
import { killCliAt } from './helpers/kill-at-point.js';
import { allIds, outboxCensus, placesOf } from './helpers/outbox-census.js';

// A real SMTP server that refuses, stalls or vanishes; then it recovers and the reporter retries (as the worker
// does at start-up). Each report ends delivered exactly once, or waits in pending/ / unconfirmed/ / failed/ with a
// log line saying where: never twice, never silently gone.
const recorder = new FaultRecorder('smtp-faults');
afterAll(() => recorder.write());

const T0 = new Date('2026-11-30T03:15:00Z');
const outcome = (job: string): RunOutcome => ({
  job,
  runId: 7,
  trigger: 'schedule',
  scheduledFor: T0,
  dryRun: false,
  evaluatedAt: T0,
  status: 'failed',
  startedAt: T0,
  finishedAt: T0,
  durationMs: 1,
  result: null,
  error: { class: 'Error', message: 'fixture failure' },
  host: 'w1',
  pid: 1,
});

let outbox: string;
let smtp: FaultSmtp;
beforeEach(async () => {
  outbox = await mkdtemp(join(tmpdir(), 'dbkeeper-smtp-fault-'));
  smtp = new FaultSmtp();
});
afterEach(async () => {
  await smtp.stop();
  await rm(outbox, { recursive: true, force: true });
});

const reporterFor = (port: number) => {
  const { log, lines } = capturingLogger();
  const config = testConfig('dbkeeper_t_smtp_faults', {
    report: { outboxDir: outbox, to: ['dba@example.test'], smtp: { host: '127.0.0.1', port, timeoutMs: 400 } },
  });
  return { reporter: createReporter({ config, log, jobs: ALL_JOBS, clock: () => T0 }), lines };
};

/** Counts for the matrix from where the report is and what the server accepted. */
async function account(point: string, job: string, logged: boolean, maxWaitMs: number, tookMs: number) {
  const census = await outboxCensus(outbox);
  const ids = allIds(census);
  const places = ids.map((id) => placesOf(census, id));
  return recorder.record({
    fault: point.startsWith('kill') ? 'kill -9' : `SMTP ${point.split(',')[0]}`,
    point,
    job,
    dataLost: 0,
    hangs: tookMs > maxWaitMs ? 1 : 0,
    duplicateRuns:
      smtp.accepted.length -
      new Set(smtp.accepted).size +
      places.filter((p) => p.filter((x) => x === 'delivered').length > 1).length,
    lostReports: ids.length === 0 || places.some((p) => p.length === 0) || !logged ? 1 : 0,
  });
}

describe('SMTP faults during delivery of an alert', () => {
  const cases: { mode: SmtpMode; waits: 'pending' | 'failed'; log: RegExp }[] = [
    { mode: 'refuse-temporary', waits: 'pending', log: /SMTP unavailable; report kept in outbox\/pending/ },
    { mode: 'stall', waits: 'pending', log: /SMTP unavailable; report kept in outbox\/pending/ },
    { mode: 'vanish', waits: 'pending', log: /SMTP unavailable; report kept in outbox\/pending/ },
    { mode: 'refuse-permanent', waits: 'failed', log: /SMTP refused the report; moved to outbox\/failed/ },
  ];
  it.each(cases)(
    '$mode: the alert waits in $waits with a log line, then goes out once',
    async ({ mode, waits, log }) => {
      const port = await smtp.start();
      smtp.mode = mode;
      const { reporter, lines } = reporterFor(port);
      const started = Date.now();
      await reporter.sendAlert(outcome('fail'));
      const took = Date.now() - started;
      const during = await outboxCensus(outbox);
      expect(during[waits]).toHaveLength(1);
      expect(lines.some((l) => log.test(l))).toBe(true);
      expect(smtp.accepted).toEqual([]);

      // The server recovers; the retry at start-up (twice: two starts) never sends it twice.
      smtp.mode = 'accept';
      await reporter.retryPending();
      await reporter.retryPending();
      const after = await outboxCensus(outbox);
      const rec = await account(`${mode}, then the server recovers`, 'alert', true, 5_000, took);
      expect(rec).toMatchObject({ hangs: 0, duplicateRuns: 0, lostReports: 0 });
      if (waits === 'pending') {
        expect(smtp.accepted).toHaveLength(1);
        expect(after.delivered).toHaveLength(1);
        expect(after.pending).toEqual([]);
      } else {
        // 5xx is final: kept in failed/ for a person, not retried.
        expect(smtp.accepted).toEqual([]);
        expect(after.failed).toHaveLength(1);
      }
    },
  );
});

describe('kill -9 of the CLI during mail (ping --email), then the next start', () => {
  let s: TestSchema;
  beforeAll(async () => {
    s = await createTestSchema();
  });
  afterAll(async () => s?.drop());

  it.each(['mail-claimed', 'mail-accepted'])(
    'killed at %s: the report is in unconfirmed/ with a warning, sent at most once',
    async (point) => {
      const port = await smtp.start();
      const { env } = cliConfig(
        s.name,
        {},
        { report: { outboxDir: outbox, to: ['dba@example.test'], smtp: { host: '127.0.0.1', port, timeoutMs: 1000 } } },
      );
      const killed = await killCliAt(['ping', '--email'], env, { point });
      expect(killed.killedAtPoint, killed.stderr.slice(-400)).toBe(true);
      const { reporter, lines } = reporterFor(port);
      await reporter.retryPending(); // what the worker does at start-up
      await reporter.retryPending();
      const census = await outboxCensus(outbox);
      const warned = lines.some((l) => /may have been delivered, so it is not resent/.test(l));
      const rec = await account(`kill at ${point}`, 'report (CLI --email)', warned, 5_000, 0);
      expect(rec).toMatchObject({ duplicateRuns: 0, lostReports: 0 });
      expect(census.unconfirmed).toHaveLength(1);
      expect(census.sending).toEqual([]);
      expect(smtp.accepted).toHaveLength(point === 'mail-accepted' ? 1 : 0);
    },
  );
});
