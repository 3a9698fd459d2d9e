import type { Transporter } from 'nodemailer';
import addressparser from 'nodemailer/lib/addressparser';
import type { ReportConfig } from '../config/report-config.js';

export interface Envelope {
  from: string;
  to: string[];
}

/** What delivery needs from SMTP; tests may pass their own. */
export interface RawSender {
  send(envelope: Envelope, raw: Buffer): Promise<void>;
  close(): void;
}

export function smtpConfigured(cfg: ReportConfig): boolean {
  return Boolean(cfg.smtp.url || cfg.smtp.host);
}

/** nodemailer with short timeouts (its defaults are minutes). No pool: one connection per delivery round.
 * nodemailer is loaded at the first send, not at start-up (idle RSS of the worker). */
export function createSmtpSender(cfg: ReportConfig): RawSender | null {
  if (!smtpConfigured(cfg)) return null;
  const t = cfg.smtp.timeoutMs;
  const timeouts = { connectionTimeout: t, greetingTimeout: t, socketTimeout: t * 2, dnsTimeout: t };
  let transport: Promise<Transporter> | null = null;
  const open = async (): Promise<Transporter> => {
    const { default: nodemailer } = await import('nodemailer');
    return cfg.smtp.url
      ? nodemailer.createTransport({ url: cfg.smtp.url, ...timeouts })
      : nodemailer.createTransport({
          host: cfg.smtp.host!,
          port: cfg.smtp.port,
          secure: cfg.smtp.secure,
          ...(cfg.smtp.user ? { auth: { user: cfg.smtp.user, pass: cfg.smtp.password ?? '' } } : {}),
          ...timeouts,
        });
  };
  return {
    async send(envelope, raw) {
      // A failed load or setup is not kept: the next send tries again.
      transport ??= open().catch((err: unknown) => {
        transport = null;
        throw err;
      });
      await (await transport).sendMail({ envelope: { from: envelope.from, to: [...envelope.to] }, raw });
    },
    close() {
      void transport?.then(
        (t) => t.close(),
        () => undefined,
      );
    },
  };
}

/** The envelope of a stored message, from its own From/To/Cc headers (the message carries its recipients). */
export function envelopeOf(raw: Buffer): Envelope {
  const text = raw.toString('utf8');
  const end = text.search(/\r?\n\r?\n/);
  const head = (end < 0 ? text : text.slice(0, end)).replace(/\r?\n[ \t]+/g, ' ');
  const header = (name: string) =>
    head
      .split(/\r?\n/)
      .filter((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`))
      .map((l) => l.slice(name.length + 1).trim());
  const addresses = (values: string[]) =>
    values
      .flatMap((v) => addressparser(v, { flatten: true }))
      .map((a) => ('address' in a && a.address ? a.address : ''))
      .filter((a) => a !== '');
  return { from: addresses(header('From'))[0] ?? '', to: addresses([...header('To'), ...header('Cc')]) };
}

/** 5xx: the server refuses this message for good; retrying would not help. */
export function isPermanentFailure(err: unknown): boolean {
  const code = (err as { responseCode?: number }).responseCode;
  return typeof code === 'number' && code >= 500 && code < 600;
}
