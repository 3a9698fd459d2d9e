import { resolve } from 'node:path';
import type { Logger } from 'pino';
import { configSecrets } from '../config/config-secrets.js';
import type { Config } from '../config/load-config.js';
import type { Database } from '../db/database.js';
import type { Period } from '../job/job-contract.js';
import { errorFields } from '../log/error-fields.js';
import type { RunOutcome } from '../runner/run-outcome.js';
import { createHash } from 'node:crypto';
import { composeMessage, messageIdOf, reportId } from './compose-message.js';
import type { DbOutage } from './db-outage.js';
import { Outbox } from './outbox.js';
import type { RenderedReport, ReportKind, ReportPeriod } from './report-input.js';
import type { Delivery, Reporter } from './reporter.js';
import { testPause } from '../testing/test-pause.js';
import { createSmtpSender, envelopeOf, isPermanentFailure, type RawSender } from './smtp-transport.js';

export interface ReporterDeps {
  config: Config;
  log: Logger;
  db?: Database;
  /** The jobs whose alerts this reporter sends: a scheduled run's alert is titled with its job's period. */
  jobs: readonly { name: string; period: Period }[];
  /** Tests: the clock and the SMTP side. */
  clock?: () => Date;
  sender?: RawSender | null;
}

export function createReporter(deps: ReporterDeps): Reporter {
  const { config, log } = deps;
  const clock = deps.clock ?? (() => new Date());
  const outbox = new Outbox(resolve(config.report.outboxDir));
  const sender = deps.sender !== undefined ? deps.sender : createSmtpSender(config.report);
  const secrets = configSecrets(config);
  let flushing: Promise<Map<string, Delivery['state']>> | null = null;

  async function render(
    kind: ReportKind,
    period: ReportPeriod,
    outcomes: readonly RunOutcome[],
    outages: readonly DbOutage[] = [],
  ): Promise<RenderedReport> {
    // Loaded at the first report, not at start-up (idle RSS of the worker).
    const [{ renderReport }, { withPrevious }] = await Promise.all([
      import('./render-report.js'),
      import('./previous-results.js'),
    ]);
    if (outcomes.length === 0) {
      // Nothing to compare: no database round trip (an outage alert is made while the database is away).
      return renderReport(
        {
          environment: config.environment,
          period,
          kind,
          generatedAt: clock(),
          timezone: config.timezone,
          jobs: [],
          outages,
        },
        secrets,
      );
    }
    const jobs = await withPrevious(deps.db, outcomes).catch((err: unknown) => {
      log.warn(
        { err: errorFields(err) },
        'report: could not read the previous runs; the report goes out without trends',
      );
      return outcomes.map((outcome) => ({ outcome, previous: null }));
    });
    return renderReport(
      { environment: config.environment, period, kind, generatedAt: clock(), timezone: config.timezone, jobs, outages },
      secrets,
    );
  }

  async function compose(
    kind: Exclude<ReportKind, 'preview'>,
    period: ReportPeriod,
    outcomes: readonly RunOutcome[],
    outages: readonly DbOutage[] = [],
  ) {
    const report = await render(kind, period, outcomes, outages);
    // An outage alert covers no run: its id is the outage's start, so a retry of it is recognised as a duplicate.
    const id =
      outcomes.length === 0 && outages.length > 0
        ? createHash('sha256')
            .update(JSON.stringify(['outage', config.environment, outages.map((o) => o.since.toISOString())]))
            .digest('hex')
            .slice(0, 24)
        : reportId(kind, config.environment, period, outcomes);
    const now = clock();
    const raw = await composeMessage({
      id,
      from: config.report.from,
      to: config.report.to,
      date: now,
      report,
      attachmentName: `dbkeeper-${kind}-${period}.json`,
    });
    return { report, id, raw, name: Outbox.fileName(now, kind, id) };
  }

  /** Send everything in outbox/pending, oldest first; stop at the first connection failure. One round at a time. */
  async function flushPending(): Promise<Map<string, Delivery['state']>> {
    if (!sender) return new Map();
    while (flushing) await flushing.catch(() => undefined);
    flushing = (async () => {
      const states = new Map<string, Delivery['state']>();
      for (const name of await outbox.listPending()) {
        const claimed = await outbox.claim(name);
        if (!claimed) continue;
        await testPause('mail-claimed');
        const id = Outbox.idOf(name);
        if (await outbox.wasDelivered(id)) {
          await outbox.discard(claimed.path);
          states.set(name, 'duplicate');
          continue;
        }
        const envelope = envelopeOf(claimed.raw);
        if (envelope.to.length === 0) {
          const path = await outbox.moveToFailed(claimed.path);
          log.error({ path }, 'report has no recipients; moved to outbox/failed');
          states.set(name, 'failed');
          continue;
        }
        try {
          await sender.send(envelope, claimed.raw);
        } catch (err) {
          if (isPermanentFailure(err)) {
            const path = await outbox.moveToFailed(claimed.path);
            log.error({ path, err: errorFields(err) }, 'SMTP refused the report; moved to outbox/failed');
            states.set(name, 'failed');
            continue;
          }
          const path = await outbox.release(claimed.path);
          log.warn(
            { path, err: errorFields(err) },
            'SMTP unavailable; report kept in outbox/pending and retried on the next send and at start-up',
          );
          states.set(name, 'pending');
          break;
        }
        await testPause('mail-accepted');
        await outbox.markDelivered(claimed.path, envelope.to, clock());
        log.info({ messageId: messageIdOf(id), recipients: envelope.to.length }, 'report delivered');
        states.set(name, 'delivered');
      }
      return states;
    })();
    try {
      return await flushing;
    } finally {
      flushing = null;
    }
  }

  /** The queue on disk cannot be written: SMTP straight from memory, once (delivered.log, when readable, still
   * stops a second send). Without SMTP either, the report is lost: said loudly, the run is in dbkeeper_runs. */
  async function sendDirect(subject: string, id: string, raw: Buffer): Promise<Delivery> {
    if (await outbox.wasDelivered(id)) {
      log.info({ subject }, 'report already delivered; not sent again');
      return { state: 'duplicate', path: null, subject };
    }
    const envelope = envelopeOf(raw);
    try {
      await sender!.send(envelope, raw);
    } catch (err) {
      const why = isPermanentFailure(err) ? 'SMTP refused it' : 'SMTP failed';
      log.error(
        { messageId: messageIdOf(id), subject, err: errorFields(err) },
        `report lost: ${why} and the outbox cannot be written (the runs are in dbkeeper_runs)`,
      );
      return { state: 'failed', path: null, subject };
    }
    await outbox
      .recordDelivered(id, envelope.to, clock())
      .catch((err: unknown) =>
        log.error(
          { err: errorFields(err) },
          'report delivered, but outbox/delivered.log cannot be written: a resend of this report would not be recognised',
        ),
      );
    log.info(
      { messageId: messageIdOf(id), recipients: envelope.to.length },
      'report delivered (without the outbox queue)',
    );
    return { state: 'delivered', path: null, subject };
  }

  async function send(
    kind: Exclude<ReportKind, 'preview'>,
    period: ReportPeriod,
    outcomes: readonly RunOutcome[],
    outages: readonly DbOutage[] = [],
  ): Promise<Delivery> {
    const { report, id, raw, name } = await compose(kind, period, outcomes, outages);
    if (!sender) {
      const path = await outbox.writeLetter(name, raw);
      log.info({ path, subject: report.subject }, 'report written to the outbox (no SMTP configured)');
      return { state: 'written', path, subject: report.subject };
    }
    let queued: string | null;
    try {
      queued = await outbox.enqueue(name, raw);
    } catch (err) {
      // A full disk or a broken folder must not cost the mail: SMTP does not need the file.
      log.error(
        { dir: outbox.pendingDir, err: errorFields(err) },
        'could not queue the report on disk; sending it over SMTP directly',
      );
      return sendDirect(report.subject, id, raw);
    }
    if (!queued) {
      log.info({ subject: report.subject }, 'report already queued or delivered; not sent again');
      await flushPending();
      return { state: 'duplicate', path: null, subject: report.subject };
    }
    const states = await flushPending();
    const state = states.get(name) ?? 'pending';
    return { state, path: state === 'delivered' ? null : queued, subject: report.subject };
  }

  async function safely(what: string, fn: () => Promise<unknown>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      // Reporting must never take the worker down; the runs themselves are recorded in dbkeeper_runs.
      log.error({ err: errorFields(err) }, `report: ${what} failed`);
    }
  }

  return {
    send,
    render,
    async writeToOutbox(kind, period, outcomes) {
      const { report, raw, name } = await compose(kind, period, outcomes);
      const path = await outbox.writeLetter(name, raw);
      log.info({ path, subject: report.subject }, 'report written to the outbox');
      return path;
    },
    async sendSummary(period, outcomes, outages = []) {
      if (!config.report.summary && period !== 'manual') return;
      if (!outcomes.some((o) => o.runId !== null)) {
        // Nothing ran here (every job was locked by or already run on another worker): that worker reports it.
        log.info(
          { period, jobs: outcomes.map((o) => o.job) },
          'no run of this slot ran in this process: no summary sent',
        );
        return;
      }
      await safely('summary', () => send('summary', period, outcomes, outages));
    },
    async sendOutageAlert(outage) {
      if (!config.report.alertOnFailure) return;
      await safely('database outage alert', () => send('alert', 'daily', [], [outage]));
    },
    async sendAlert(outcome) {
      if (!config.report.alertOnFailure) return;
      const period =
        outcome.trigger === 'manual' ? 'manual' : (deps.jobs.find((j) => j.name === outcome.job)?.period ?? 'manual');
      await safely('alert', () => send('alert', period, [outcome]));
    },
    async retryPending() {
      await safely('retry of pending reports', async () => {
        const { removed, unconfirmed } = await outbox.recoverInterrupted();
        for (const path of unconfirmed) {
          log.warn(
            { path },
            'a report was being sent when dbkeeper stopped; it may have been delivered, so it is not resent. To resend, move it to outbox/pending/',
          );
        }
        if (removed.length > 0) log.info({ count: removed.length }, 'removed leftover files of delivered reports');
        if (!sender) {
          const left = await outbox.listPending();
          if (left.length > 0)
            log.warn({ count: left.length, dir: outbox.pendingDir }, 'reports are pending but no SMTP is configured');
          return;
        }
        await flushPending();
      });
    },
  };
}
