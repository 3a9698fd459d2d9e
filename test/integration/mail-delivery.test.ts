import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ALL_JOBS } from '../../jobs/index.js';
import { ConfigError } from '../../src/config/config-error.js';
import type { Plain } from '../../src/config/deep-merge.js';
import { createReporter } from '../../src/report/create-reporter.js';
import type { RunOutcome } from '../../src/runner/run-outcome.js';
import { capturingLogger, testConfig } from '../helpers/test-db.js';

const DB_PASSWORD = 'db-Secret-4711';
const SMTP_PASSWORD = 'smtp-Secret-0815';
const T0 = new Date('2026-11-30T03:15:00Z');

interface Received {
  from: string;
  rcpt: string[];
  raw: string;
  mail: ParsedMail;
}

/** A real SMTP server on loopback that records what it accepted. */
class LoopbackSmtp {
  received: Received[] = [];
  auths: { user: string; pass: string }[] = [];
  private server: SMTPServer | null = null;
  constructor(private readonly opts: { rejectRcpt?: boolean } = {}) {}

  async start(port = 0): Promise<number> {
    const server = new SMTPServer({
      authOptional: true,
      allowInsecureAuth: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onAuth: (auth, _session, cb) => {
        this.auths.push({ user: auth.username ?? '', pass: auth.password ?? '' });
        cb(null, { user: auth.username });
      },
      onRcptTo: (address, _session, cb) => {
        if (this.opts.rejectRcpt) {
          const err = new Error('mailbox unavailable') as Error & { responseCode: number };
          err.responseCode = 550;
          cb(err);
        } else cb();
      },
      onData: (stream, session, cb) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks);
          simpleParser(raw).then(
            (mail) => {
              this.received.push({
                from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
                rcpt: session.envelope.rcptTo.map((r) => r.address),
                raw: raw.toString('utf8'),
                mail,
              });
              cb();
            },
            (err: Error) => cb(err),
          );
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    this.server = server;
    return (server.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}

function outcome(job: string, status: RunOutcome['status'], extra: Partial<RunOutcome> = {}): RunOutcome {
  return {
    job,
    runId: 7,
    trigger: 'schedule',
    scheduledFor: T0,
    dryRun: false,
    evaluatedAt: T0,
    status,
    startedAt: T0,
    finishedAt: new Date(T0.getTime() + 1500),
    durationMs: 1500,
    result:
      status === 'failed'
        ? null
        : {
            status: status === 'warning' ? 'warning' : 'ok',
            summary: `${job} did its work`,
            ...(status === 'warning' ? { warnings: ['something needs a human'] } : {}),
            details: { rows: 12 },
            sections: [{ kind: 'figures', title: 'Work', figures: [{ label: 'rows', value: 12, unit: 'rows' }] }],
          },
    host: 'worker-1',
    pid: 1,
    ...extra,
  };
}

let outbox: string;
beforeEach(async () => {
  outbox = await mkdtemp(join(tmpdir(), 'dbkeeper-mail-'));
});
afterEach(async () => {
  await rm(outbox, { recursive: true, force: true });
});

function configFor(smtpPort: number | null, extra: Plain = {}) {
  return testConfig('dbkeeper_t_mail', {
    environment: 'prod',
    db: { password: DB_PASSWORD },
    report: {
      outboxDir: outbox,
      from: 'dbkeeper@example.test',
      to: ['dba@example.test', 'oncall@example.test'],
      smtp:
        smtpPort === null
          ? {}
          : { host: '127.0.0.1', port: smtpPort, user: 'dbkeeper', password: SMTP_PASSWORD, timeoutMs: 1500 },
      ...extra,
    },
  });
}

async function list(dir: string): Promise<string[]> {
  return readdir(dir).catch(() => []);
}

/** A port nobody listens on (taken from the OS, then freed). */
async function freePort(): Promise<number> {
  const s = new LoopbackSmtp();
  const port = await s.start();
  await s.stop();
  return port;
}

function expectNoSecrets(text: string) {
  expect(text).not.toContain(DB_PASSWORD);
  expect(text).not.toContain(SMTP_PASSWORD);
}

describe('report delivery over SMTP', () => {
  const servers: LoopbackSmtp[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.stop()));
  });

  it('delivers one message to every recipient with subject, text, HTML and the JSON attachment', async () => {
    const smtp = new LoopbackSmtp();
    servers.push(smtp);
    const port = await smtp.start();
    const { log, lines } = capturingLogger();
    const reporter = createReporter({ config: configFor(port), log, jobs: ALL_JOBS, clock: () => T0 });

    await reporter.sendSummary('daily', [
      outcome('purge-locks', 'ok'),
      outcome('health', 'warning', { error: { class: 'Error', message: `login failed with ${DB_PASSWORD}` } }),
    ]);

    expect(smtp.received).toHaveLength(1);
    const got = smtp.received[0]!;
    expect(got.from).toBe('dbkeeper@example.test');
    expect(got.rcpt.sort()).toEqual(['dba@example.test', 'oncall@example.test']);
    expect(got.mail.subject).toBe('[dbkeeper prod] daily: 1 WARNING');
    expect(got.mail.text).toContain('purge-locks did its work');
    expect(got.mail.html).toContain('purge-locks did its work');
    expect(got.mail.messageId).toMatch(/^<dbkeeper-[0-9a-f]{24}@dbkeeper\.invalid>$/);
    const attachment = got.mail.attachments.find((a) => a.filename === 'dbkeeper-summary-daily.json');
    expect(attachment?.contentType).toBe('application/json');
    const json = JSON.parse(attachment!.content.toString('utf8')) as {
      runs: { job: string; result: { details: unknown } }[];
    };
    expect(json.runs.map((r) => r.job)).toEqual(['purge-locks', 'health']);
    expect(json.runs[0]!.result.details).toEqual({ rows: 12 });
    expect(smtp.auths).toEqual([{ user: 'dbkeeper', pass: SMTP_PASSWORD }]);

    expectNoSecrets(got.raw);
    expectNoSecrets(lines.join('\n'));
    expect(await list(join(outbox, 'pending'))).toEqual([]);
  });

  it('takes SMTP_URL with credentials and never writes its password to a log line or the message', async () => {
    const smtp = new LoopbackSmtp();
    servers.push(smtp);
    const port = await smtp.start();
    const url = `smtp://dbkeeper:${encodeURIComponent(SMTP_PASSWORD)}@127.0.0.1:${port}`;
    const config = testConfig(
      'dbkeeper_t_mail',
      { db: { password: DB_PASSWORD }, report: { outboxDir: outbox, to: ['dba@example.test'] } },
      { SMTP_URL: url },
    );
    const { log, lines } = capturingLogger();
    await createReporter({ config, log, jobs: ALL_JOBS, clock: () => T0 }).sendAlert(
      outcome('ping', 'failed', { error: { class: 'Error', message: `cannot reach ${url}` } }),
    );
    expect(smtp.auths).toEqual([{ user: 'dbkeeper', pass: SMTP_PASSWORD }]);
    expect(smtp.received).toHaveLength(1);
    expectNoSecrets(smtp.received[0]!.raw);
    expect(smtp.received[0]!.mail.text).toContain(`cannot reach smtp://dbkeeper:[REDACTED]@127.0.0.1:${port}`);
    expectNoSecrets(lines.join('\n'));
  });

  it('keeps the report in outbox/pending while SMTP is down, then delivers it exactly once', async () => {
    const port = await freePort();
    const { log, lines } = capturingLogger();
    const reporter = createReporter({ config: configFor(port), log, jobs: ALL_JOBS, clock: () => T0 });

    const down = await reporter.send('summary', 'daily', [outcome('purge-locks', 'ok')]);
    expect(down.state).toBe('pending');
    const pending = await list(join(outbox, 'pending'));
    expect(pending).toHaveLength(1);
    expect(pending[0]).toMatch(/^20261130T031500Z-summary-[0-9a-f]{24}\.eml$/);
    expect(down.path).toBe(join(outbox, 'pending', pending[0]!));
    const stored = await readFile(down.path!, 'utf8');
    expect(stored).toContain('Subject: [dbkeeper prod] daily: OK');
    expectNoSecrets(stored);
    expect(lines.some((l) => l.includes('SMTP unavailable') && l.includes(pending[0]!))).toBe(true);

    const smtp = new LoopbackSmtp();
    servers.push(smtp);
    await smtp.start(port);
    // A fresh process at start-up retries the queue; a second retry and a resend of the same report change nothing.
    const restarted = createReporter({ config: configFor(port), log, jobs: ALL_JOBS, clock: () => T0 });
    await restarted.retryPending();
    await restarted.retryPending();
    const again = await restarted.send('summary', 'daily', [outcome('purge-locks', 'ok')]);

    expect(again.state).toBe('duplicate');
    expect(smtp.received).toHaveLength(1);
    expect(smtp.received[0]!.mail.subject).toBe('[dbkeeper prod] daily: OK');
    expect(await list(join(outbox, 'pending'))).toEqual([]);
    expect(await readFile(join(outbox, 'delivered.log'), 'utf8')).toMatch(
      /^2026-11-30T03:15:00.000Z [0-9a-f]{24} dba@example.test,oncall@example.test\n$/,
    );
    expectNoSecrets(lines.join('\n'));
  });

  it('sends the queue on the next send: the old pending report first, then the new one', async () => {
    const port = await freePort();
    const { log } = capturingLogger();
    const first = createReporter({ config: configFor(port), log, jobs: ALL_JOBS, clock: () => T0 });
    await first.sendAlert(outcome('ping', 'failed', { error: { class: 'QueryError', message: 'boom' } }));
    expect(await list(join(outbox, 'pending'))).toHaveLength(1);

    const smtp = new LoopbackSmtp();
    servers.push(smtp);
    await smtp.start(port);
    const later = createReporter({
      config: configFor(port),
      log,
      jobs: ALL_JOBS,
      clock: () => new Date(T0.getTime() + 60_000),
    });
    const d = await later.send('summary', 'daily', [outcome('purge-locks', 'ok', { runId: 8 })]);
    expect(d.state).toBe('delivered');
    expect(smtp.received.map((r) => r.mail.subject)).toEqual([
      '[dbkeeper prod] daily: FAILED (alert: ping)',
      '[dbkeeper prod] daily: OK',
    ]);
    expect(await list(join(outbox, 'pending'))).toEqual([]);
  });

  it('never resends a report whose sender died mid-send; puts it in outbox/unconfirmed for a person', async () => {
    const smtp = new LoopbackSmtp();
    servers.push(smtp);
    const port = await smtp.start();
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    const host = hostname().replace(/[^A-Za-z0-9.]/g, '_');
    await mkdir(join(outbox, 'pending'), { recursive: true });
    const maybeSent = `20261130T031500Z-summary-${'a'.repeat(24)}.eml`;
    const surelySent = `20261130T031500Z-summary-${'b'.repeat(24)}.eml`;
    const raw = 'From: dbkeeper@example.test\r\nTo: dba@example.test\r\nSubject: x\r\n\r\nbody\r\n';
    await writeFile(join(outbox, 'pending', `${maybeSent}.sending-${host}-${dead}`), raw);
    await writeFile(join(outbox, 'pending', `${surelySent}.sending-${host}-${dead}`), raw);
    await writeFile(join(outbox, 'delivered.log'), `2026-11-30T03:15:01.000Z ${'b'.repeat(24)} dba@example.test\n`);
    const { log, lines } = capturingLogger();

    await createReporter({ config: configFor(port), log, jobs: ALL_JOBS }).retryPending();

    expect(smtp.received).toHaveLength(0);
    expect(await list(join(outbox, 'pending'))).toEqual([]);
    expect(await list(join(outbox, 'unconfirmed'))).toEqual([maybeSent]);
    expect(lines.some((l) => l.includes('not resent') && l.includes(maybeSent))).toBe(true);
  });

  it('gives up on a server that accepts the connection but never greets, within the configured timeout', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((s) => sockets.push(s));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const port = (silent.address() as AddressInfo).port;
      const { log } = capturingLogger();
      const config = configFor(port);
      config.report.smtp.timeoutMs = 300;
      const d = await createReporter({ config, log, jobs: ALL_JOBS, clock: () => T0 }).send('summary', 'daily', [
        outcome('purge-locks', 'ok'),
      ]);
      expect(d.state).toBe('pending');
      expect(await list(join(outbox, 'pending'))).toHaveLength(1);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('moves a report the server refuses for good (5xx) to outbox/failed instead of retrying forever', async () => {
    const smtp = new LoopbackSmtp({ rejectRcpt: true });
    servers.push(smtp);
    const port = await smtp.start();
    const { log } = capturingLogger();
    const d = await createReporter({ config: configFor(port), log, jobs: ALL_JOBS, clock: () => T0 }).send(
      'summary',
      'weekly',
      [outcome('optimize', 'ok')],
    );
    expect(d.state).toBe('failed');
    expect(await list(join(outbox, 'pending'))).toEqual([]);
    expect(await list(join(outbox, 'failed'))).toHaveLength(1);
  });
});

describe('report without SMTP', () => {
  it('writes the report as .eml into the outbox and logs its path', async () => {
    const { log, lines } = capturingLogger();
    const reporter = createReporter({ config: configFor(null), log, jobs: ALL_JOBS, clock: () => T0 });
    const d = await reporter.send('summary', 'daily', [outcome('purge-locks', 'ok')]);
    expect(d.state).toBe('written');
    expect(d.path).toMatch(new RegExp(`^${outbox}/20261130T031500Z-summary-[0-9a-f]{24}\\.eml$`));
    const raw = await readFile(d.path!);
    const mail = await simpleParser(raw);
    expect(mail.subject).toBe('[dbkeeper prod] daily: OK');
    expect(mail.text).toContain('purge-locks did its work');
    expect(mail.html).toContain('purge-locks did its work');
    expect(mail.attachments.map((a) => a.filename)).toEqual(['dbkeeper-summary-daily.json']);
    expect(lines.some((l) => l.includes(d.path!))).toBe(true);
    expectNoSecrets(raw.toString('utf8'));
    expect(await list(join(outbox, 'pending'))).toEqual([]);
  });

  it('sends no summary when nothing ran in this process (every job locked by or already run on another worker)', async () => {
    const { log } = capturingLogger();
    const reporter = createReporter({ config: configFor(null), log, jobs: ALL_JOBS, clock: () => T0 });
    await reporter.sendSummary('daily', [
      outcome('purge-locks', 'skipped', { runId: null, result: null, skippedReason: 'slot already ran on worker-2' }),
    ]);
    await reporter.sendSummary('daily', []);
    expect((await list(outbox)).filter((f) => f.endsWith('.eml'))).toEqual([]);
    await reporter.sendSummary('daily', [
      outcome('purge-locks', 'skipped', { runId: null, result: null, skippedReason: 'locked' }),
      outcome('ping', 'ok'),
    ]);
    expect((await list(outbox)).filter((f) => f.endsWith('.eml'))).toHaveLength(1);
  });

  it('honours report.summary=false for scheduled summaries but always sends alerts when alertOnFailure', async () => {
    const { log } = capturingLogger();
    const reporter = createReporter({
      config: configFor(null, { summary: false }),
      log,
      jobs: ALL_JOBS,
      clock: () => T0,
    });
    await reporter.sendSummary('daily', [outcome('purge-locks', 'ok')]);
    expect((await list(outbox)).filter((f) => f.endsWith('.eml'))).toEqual([]);
    await reporter.sendAlert(outcome('partitions', 'failed', { error: { class: 'QueryError', message: 'boom' } }));
    expect((await list(outbox)).filter((f) => f.endsWith('.eml'))).toHaveLength(1);
  });
});

describe('report config at start-up', () => {
  it.each([
    [{ REPORT_TO: 'dba@example.test,not-an-address' }, 'report.to.1: is not a valid email address'],
    [{ REPORT_FROM: 'dbkeeper at example' }, 'report.from (from REPORT_FROM): is not a valid email address'],
    [{ SMTP_HOST: '127.0.0.1' }, 'report.to: needs at least one recipient address when SMTP is configured'],
  ])('rejects %o with exit code 78', (env, message) => {
    let error: unknown;
    try {
      testConfig('dbkeeper_t_mail', { report: { outboxDir: outbox } }, env);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).exitCode).toBe(78);
    expect((error as ConfigError).message).toContain(message);
  });
});

describe('an outbox that breaks after start-up does not block SMTP', () => {
  const servers: LoopbackSmtp[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.stop()));
  });

  it('pending/ cannot be written: SMTP is tried anyway, the mail arrives once, and the disk failure is logged', async () => {
    const smtp = new LoopbackSmtp();
    servers.push(smtp);
    const port = await smtp.start();
    // A regular file where pending/ should be: mkdir and every write under it fail, also for root.
    await writeFile(join(outbox, 'pending'), 'in the way');
    const { log, lines } = capturingLogger();
    const reporter = createReporter({ config: configFor(port), log, jobs: ALL_JOBS, clock: () => T0 });

    const first = await reporter.send('summary', 'daily', [outcome('purge-locks', 'ok')]);
    expect(first.state).toBe('delivered');
    expect(smtp.received).toHaveLength(1);
    expect(smtp.received[0]!.mail.subject).toBe('[dbkeeper prod] daily: OK');
    const diskLine = lines
      .map((l) => JSON.parse(l) as { level: number; msg: string; err?: { code?: string } })
      .find((l) => /could not queue the report on disk/.test(l.msg));
    expect(diskLine?.level).toBe(50);
    expect(diskLine?.err?.code).toMatch(/^(EEXIST|ENOTDIR)$/);

    // The same report again (a retry of the slot): delivered.log still knows it, so it is not sent twice.
    const again = await reporter.send('summary', 'daily', [outcome('purge-locks', 'ok')]);
    expect(again.state).toBe('duplicate');
    expect(smtp.received).toHaveLength(1);
    expectNoSecrets(lines.join('\n'));
  });

  it('pending/ cannot be written and SMTP is down: the report is lost loudly, not silently', async () => {
    await writeFile(join(outbox, 'pending'), 'in the way');
    const { log, lines } = capturingLogger();
    const reporter = createReporter({ config: configFor(await freePort()), log, jobs: ALL_JOBS, clock: () => T0 });
    const d = await reporter.send('alert', 'daily', [
      outcome('purge-locks', 'failed', { error: { class: 'Error', message: 'boom' } }),
    ]);
    expect(d.state).toBe('failed');
    expect(d.path).toBeNull();
    const msgs = lines.map((l) => JSON.parse(l) as { level: number; msg: string });
    expect(
      msgs.some((l) => l.level === 50 && /report lost: SMTP failed and the outbox cannot be written/.test(l.msg)),
    ).toBe(true);
  });
});
