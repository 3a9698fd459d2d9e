import { createHash } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import MailComposer from 'nodemailer/lib/mail-composer';
import type { Logger } from 'pino';
import type { Config } from '../config/load-config.js';
import type { Database } from '../db/database.js';
import type { Period } from '../job/job-contract.js';
import type { RunOutcome } from '../runner/run-outcome.js';
import type { Reporter } from './reporter.js';

export interface ReporterDeps {
  config: Config;
  log: Logger;
  db?: Database;
}

/** First cut: renders a plain summary and writes it to the outbox as .eml. */
export function createReporter(deps: ReporterDeps): Reporter {
  const { config, log } = deps;
  const outbox = resolve(config.report.outboxDir);

  async function write(kind: string, subject: string, text: string, outcomes: readonly RunOutcome[]): Promise<string> {
    const id = createHash('sha256').update(JSON.stringify([kind, outcomes.map((o) => [o.job, o.runId, o.startedAt])])).digest('hex').slice(0, 16);
    const raw = await new MailComposer({
      from: config.report.from,
      to: config.report.to.length > 0 ? config.report.to : config.report.from,
      subject,
      text,
      messageId: `<${id}@dbkeeper>`,
      attachments: [{ filename: 'results.json', content: JSON.stringify(outcomes, null, 2), contentType: 'application/json' }],
    })
      .compile()
      .build();
    await mkdir(outbox, { recursive: true });
    const path = join(outbox, `${kind}-${id}.eml`);
    await writeFile(`${path}.tmp`, raw);
    await rename(`${path}.tmp`, path);
    log.info({ path }, 'report written to outbox');
    return path;
  }

  const line = (o: RunOutcome) => `${o.job}: ${o.status}${o.result ? ` - ${o.result.summary}` : ''}${o.error ? ` - ${o.error.message}` : ''}`;

  return {
    async sendSummary(period: Period | 'manual', outcomes: readonly RunOutcome[]) {
      const failed = outcomes.filter((o) => o.status === 'failed' || o.status === 'interrupted').length;
      const warnings = outcomes.filter((o) => o.status === 'warning').length;
      const worst = failed > 0 ? 'FAILED' : warnings > 0 ? `${warnings} WARNING${warnings === 1 ? '' : 'S'}` : 'OK';
      await write('summary', `[dbkeeper ${config.environment}] ${period}: ${worst}`, outcomes.map(line).join('\n'), outcomes);
    },
    async sendAlert(outcome: RunOutcome) {
      await write('alert', `[dbkeeper ${config.environment}] ALERT ${outcome.job}: FAILED`, line(outcome), [outcome]);
    },
    async retryPending() {
      /* no SMTP delivery yet */
    },
  };
}
