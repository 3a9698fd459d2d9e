import { createHash } from 'node:crypto';
import type { RunOutcome } from '../runner/run-outcome.js';
import type { RenderedReport, ReportKind, ReportPeriod } from './report-input.js';

/** The same report always gets the same id (kind, environment, period, the runs it covers), so a
 * message is recognisable in the outbox, in delivered.log and by mail clients. */
export function reportId(
  kind: ReportKind,
  environment: string,
  period: ReportPeriod,
  outcomes: readonly RunOutcome[],
): string {
  const runs = outcomes.map((o) => [o.job, o.runId, o.scheduledFor.toISOString(), o.startedAt.toISOString()]).sort();
  return createHash('sha256')
    .update(JSON.stringify([kind, environment, period, runs]))
    .digest('hex')
    .slice(0, 24);
}

export interface MessageParts {
  id: string;
  from: string;
  to: readonly string[];
  date: Date;
  report: RenderedReport;
  attachmentName: string;
}

export function messageIdOf(id: string): string {
  return `<dbkeeper-${id}@dbkeeper.invalid>`;
}

/** The complete RFC 5322 message (text + HTML alternatives, JSON attachment). nodemailer is loaded at the first
 * message, not at start-up (idle RSS of the worker). */
export async function composeMessage(p: MessageParts): Promise<Buffer> {
  const { default: MailComposer } = await import('nodemailer/lib/mail-composer');
  return new MailComposer({
    from: p.from,
    ...(p.to.length > 0 ? { to: [...p.to] } : {}),
    subject: p.report.subject,
    date: p.date,
    messageId: messageIdOf(p.id),
    text: p.report.text,
    html: p.report.html,
    attachments: [
      { filename: p.attachmentName, content: p.report.json, contentType: 'application/json; charset=utf-8' },
    ],
  })
    .compile()
    .build();
}
