import { writeFile } from 'node:fs/promises';
import { ALL_JOBS } from '../../jobs/index.js';
import { connectApp, loggerFor } from '../app/bootstrap.js';
import { firstConnection } from '../db/database.js';
import { ConfigError } from '../config/config-error.js';
import { loadConfig } from '../config/load-config.js';
import { EXIT } from '../core/exit-codes.js';
import { formatOutcome } from '../cli/format-outcome.js';
import { createReporter } from '../report/create-reporter.js';
import { errorMessage } from '../log/error-fields.js';
import { runJob } from '../runner/run-job.js';
import type { RunOutcome } from '../runner/run-outcome.js';
import { DEMO_HEALTH_CONFIG } from './demo-health-config.js';
import { quoteId } from '../db/sql-identifier.js';
import { createDemoSchema, DEMO_DBKEEPER_SCHEMA, DEMO_SCHEMA } from './demo-schema.js';

/** The zone the demo application writes DATETIME values in (its session time_zone). */
const DEMO_APP_TIME_ZONE = 'Etc/UTC';

/** `npm run demo`: build the demo schema, run every job once through the runner, write the report. */
async function main(): Promise<number> {
  let config;
  try {
    // The demo tables are small: let table-maintenance rebuild the half-deleted appointments (production keeps its
    // 64 MiB minimum), and show why calls (FULLTEXT) is not rebuilt.
    config = loadConfig({
      jobs: ALL_JOBS,
      overrides: {
        db: { database: DEMO_SCHEMA },
        schema: DEMO_DBKEEPER_SCHEMA,
        jobs: {
          'table-maintenance': { minReclaimBytes: 0, optimizeTables: ['appointments', 'calls'] },
          // DATETIME expiry values are the application's session wall clock: the demo application writes in UTC
          // (its connection below), so the zone is named, not left to the server's global time_zone.
          'purge-locks': {
            targets: [
              {
                table: 'appointment_locks',
                expiryColumn: 'expires_at',
                graceSeconds: 0,
                datetimeZone: DEMO_APP_TIME_ZONE,
              },
            ],
          },
          health: DEMO_HEALTH_CONFIG,
        },
      },
    });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`dbkeeper demo: ${err.message}\n`);
      return EXIT.config;
    }
    throw err;
  }
  const now = new Date();
  // A demo is read by a person, often piped: pretty lines unless LOG_FORMAT=json, and (unless LOG_LEVEL says
  // otherwise) only warnings and errors between the result lines.
  const json = config.log.format === 'json';
  const level = json || process.env.LOG_LEVEL ? config.log.level : 'warn';
  const log = loggerFor({ ...config, log: { ...config.log, level } }, { stream: 'stderr', pretty: !json });
  // No database selected yet: the demo creates its own schema first. TLS as DB_SSL_MODE says.
  // The demo application's session: UTC, as DEMO_APP_TIME_ZONE says.
  const { conn: admin } = await firstConnection({ ...config.db, database: '' }, log);
  await admin.query("SET SESSION time_zone = '+00:00'");
  try {
    await createDemoSchema(admin, now);
    // A fresh start each time, as the demo schema is: no history of an earlier demo in the report.
    await admin.query(`DROP SCHEMA IF EXISTS ${quoteId(DEMO_DBKEEPER_SCHEMA, 'demo DBKEEPER_SCHEMA')}`);
  } finally {
    await admin.end();
  }
  const app = await connectApp(config, log, { jobs: ALL_JOBS });
  const outcomes: RunOutcome[] = [];
  try {
    for (const job of ALL_JOBS) {
      const outcome = await runJob({ db: app.db, config, log, privileges: app.privileges }, job, {
        trigger: 'manual',
        dryRun: false,
      });
      outcomes.push(outcome);
      process.stdout.write(`${formatOutcome(outcome)}\n`);
    }
    // The demo needs no SMTP: the summary always goes to the outbox as .eml, with the HTML beside it for a browser.
    const reporter = createReporter({ config, log, db: app.db, jobs: app.jobs });
    const emlPath = await reporter.writeToOutbox('summary', 'manual', outcomes);
    const htmlPath = emlPath.replace(/\.eml$/, '.html');
    await writeFile(htmlPath, (await reporter.render('summary', 'manual', outcomes)).html);
    process.stdout.write(`\nreport (email): ${emlPath}\nreport (browser): ${htmlPath}\n`);
  } finally {
    await app.db.close();
  }
  process.stdout.write(
    `\ndemo schema: ${DEMO_SCHEMA}, dbkeeper's own tables in ${DEMO_DBKEEPER_SCHEMA}, on ${config.db.host}:${config.db.port}\n`,
  );
  return outcomes.some((o) => o.status === 'failed') ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`dbkeeper demo: ${errorMessage(err)}\n`);
    process.exitCode = 1;
  },
);
