import { readdir, readFile, rm } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_JOBS } from '../../jobs/index.js';
import { connectApp } from '../../src/app/bootstrap.js';
import type { Plain } from '../../src/config/deep-merge.js';
import { loadConfig } from '../../src/config/load-config.js';
import { createReporter } from '../../src/report/create-reporter.js';
import { Scheduler } from '../../src/scheduler/scheduler.js';
import { jobs as fixtureJobs } from '../fixtures/test-jobs.mjs';
import { createTestSchema, silentLogger, TEST_DB, type TestSchema } from '../helpers/test-db.js';

const JOBS = [...ALL_JOBS, ...fixtureJobs];

/** A TCP proxy to the server the test can cut (refuse + destroy every connection) and reopen on the same port. */
async function tcpProxy(host: string, port: number) {
  const sockets = new Set<Socket>();
  let server: Server | null = null;
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const proxyPort = (probe.address() as { port: number }).port;
  await new Promise((r) => probe.close(r));
  return {
    port: proxyPort,
    async open() {
      server = createServer((client) => {
        const upstream = connect(port, host);
        sockets.add(client).add(upstream);
        client.pipe(upstream).pipe(client);
        const end = () => {
          client.destroy();
          upstream.destroy();
        };
        client.on('error', end).on('close', end);
        upstream.on('error', end).on('close', end);
      });
      await new Promise<void>((r) => server!.listen(proxyPort, '127.0.0.1', r));
    },
    close() {
      server?.close();
      server = null;
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
  };
}

async function letters(dir: string): Promise<{ name: string; subject: string; text: string }[]> {
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.eml')).sort();
  return Promise.all(
    names.map(async (name) => {
      const mail = await simpleParser(await readFile(join(dir, name)));
      return { name, subject: mail.subject ?? '', text: mail.text ?? '' };
    }),
  );
}

describe('database down at slot time', () => {
  let schema: TestSchema;
  const outbox = () => `/tmp/dbkeeper-test-outbox-${schema.name}`;
  beforeAll(async () => {
    schema = await createTestSchema();
  });
  afterAll(async () => {
    await schema.drop();
    await rm(outbox(), { recursive: true, force: true });
  });

  it('one alert per outage through the outbox, without the database; the next summary says recovered, once', async () => {
    const proxy = await tcpProxy(TEST_DB.host, TEST_DB.port);
    await proxy.open();
    const sections: Plain = {};
    for (const job of ALL_JOBS) sections[job.name] = { enabled: false };
    sections.slow = { enabled: false, schedule: '0 0 1 1 *', catchUp: false, seconds: 1, ignoreAbort: false };
    sections.fail = { enabled: false, schedule: '0 0 1 1 *', catchUp: false };
    sections.tick = { enabled: true, schedule: '* * * * * *', catchUp: false };
    const config = loadConfig({
      jobs: JOBS,
      env: {},
      overrides: {
        db: { ...TEST_DB, port: proxy.port, database: schema.name, connectRetries: 0 },
        log: { level: 'silent' },
        report: { outboxDir: outbox() },
        jobs: sections,
      },
    });
    const log = silentLogger();
    const app = await connectApp(config, log, { jobs: JOBS });
    const scheduler = new Scheduler({
      app,
      reporter: createReporter({ config, log, db: app.db, jobs: app.jobs }),
      dbBackoffMs: { initial: 200, max: 400 },
    });
    scheduler.start();
    try {
      await sleep(1_500);
      proxy.close();
      await sleep(3_500); // three slots or more with the database gone
      const during = await letters(outbox());
      const alerts = during.filter((l) => l.name.includes('-alert-'));
      expect(alerts).toHaveLength(1);
      expect(alerts[0]!.subject).toMatch(/DATABASE UNREACHABLE \(alert: since \d{4}-\d\d-\d\dT/);
      expect(alerts[0]!.text).toMatch(/database unreachable since .*slots? missed so far/);

      await proxy.open();
      for (let i = 0; i < 60; i++) {
        if ((await letters(outbox())).some((l) => l.text.includes('recovered:'))) break;
        await sleep(100);
      }
      await sleep(1_500); // more summaries after the first one
    } finally {
      await scheduler.stop(10_000);
      proxy.close();
    }
    const all = await letters(outbox());
    expect(all.filter((l) => l.name.includes('-alert-'))).toHaveLength(1);
    const recovered = all.filter((l) => l.text.includes('recovered:'));
    expect(recovered).toHaveLength(1);
    const missed = Number(
      /recovered: database was unreachable from .* to .*; (\d+) slots? missed/.exec(recovered[0]!.text)?.[1],
    );
    expect(missed).toBeGreaterThanOrEqual(3);
    // Summaries kept coming after the recovered one, without the line.
    const after = all.filter((l) => l.name.includes('-summary-') && l.name > recovered[0]!.name);
    expect(after.length).toBeGreaterThanOrEqual(1);
  });
});
