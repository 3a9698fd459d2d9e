import { z } from 'zod';
import { MAX_TIMER_MS, timerMs } from './timer-bounds.js';

const emailAddress = z.email({ message: 'is not a valid email address' });

export const reportSchema = z
  .strictObject({
    /** SMTP_URL, or host/port/user/password/secure. No host and no url = write reports to the outbox only. */
    smtp: z.strictObject({
      url: z.string().url().nullable(),
      host: z.string().nullable(),
      port: z.number().int().min(1).max(65535),
      user: z.string().nullable(),
      password: z.string().nullable(),
      secure: z.boolean(),
      /** The socket timeout is twice this: both stay within Node's timer limit. */
      timeoutMs: timerMs(Math.floor(MAX_TIMER_MS / 2)),
    }),
    from: emailAddress,
    to: z.array(emailAddress),
    outboxDir: z.string().min(1),
    /** Email a summary after each scheduled slot. */
    summary: z.boolean(),
    /** Email an alert at once when a run fails. */
    alertOnFailure: z.boolean(),
  })
  .superRefine((r, ctx) => {
    if ((r.smtp.url || r.smtp.host) && r.to.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['to'],
        message: 'needs at least one recipient address when SMTP is configured (REPORT_TO)',
      });
    }
    if (r.smtp.url && !/^smtps?:\/\//i.test(r.smtp.url)) {
      ctx.addIssue({ code: 'custom', path: ['smtp', 'url'], message: 'must start with smtp:// or smtps://' });
    }
  });

export type ReportConfig = z.infer<typeof reportSchema>;
