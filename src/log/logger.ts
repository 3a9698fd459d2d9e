import { createRequire } from 'node:module';
import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';
import { makeScrubber } from './secret-scrubber.js';

/** pino-pretty only for people at a terminal: the worker (NDJSON) never loads it (idle RSS). */
const loadPretty = (): typeof import('pino-pretty') => createRequire(import.meta.url)('pino-pretty');

/** Field names that never reach a log line, wherever they sit. */
export const REDACT_PATHS = [
  'password',
  '*.password',
  '*.*.password',
  '*.*.*.password',
  'config.db.password',
  'config.report.smtp.password',
  'config.report.smtp.url',
  'smtp.url',
  'databaseUrl',
  'DATABASE_URL',
  'DB_PASSWORD',
  'SMTP_PASSWORD',
];

export interface LoggerOptions {
  level: string;
  /** Values that must never be printed (DB and SMTP passwords); scrubbed from every line as a second net. */
  secrets: readonly (string | null | undefined)[];
  /** 'stdout' for the worker (NDJSON for pm2), 'stderr' for the CLI (stdout carries results). */
  stream: 'stdout' | 'stderr';
  /** Human-readable lines instead of NDJSON (CLI on a TTY). */
  pretty: boolean;
  /** For tests: where lines go instead of the process stream. */
  sink?: (line: string) => void;
}

/** LOG_FORMAT wins; unset, a terminal gets pretty lines and anything else (pm2, a pipe, a file) NDJSON. */
export function prettyLogs(format: 'json' | 'pretty' | null, isTty: boolean): boolean {
  return format === null ? isTty : format === 'pretty';
}

export function createLogger(opts: LoggerOptions): Logger {
  const scrub = makeScrubber(opts.secrets);
  const target = opts.stream === 'stdout' ? process.stdout : process.stderr;
  const write = opts.sink ?? ((line: string) => target.write(line));
  const scrubbed = new Writable({
    write(chunk: Buffer, _enc, done) {
      write(scrub(chunk.toString('utf8')));
      done();
    },
  });
  const destination = opts.pretty
    ? loadPretty()({
        destination: scrubbed,
        colorize: !opts.sink && Boolean(target.isTTY),
        translateTime: 'SYS:HH:MM:ss',
        ignore: 'pid,hostname,app',
        singleLine: true,
      })
    : scrubbed;
  return pino(
    {
      level: opts.level,
      base: { app: 'dbkeeper' },
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
