import { setLogger, type Logger as CronLogger } from 'node-cron';
import type { Logger } from 'pino';

/** node-cron's own messages as pino lines (NDJSON), instead of its coloured console output. */
export function cronLogger(log: Logger): CronLogger {
  const l = log.child({ component: 'node-cron' });
  const err = (message: string | Error, e?: Error) =>
    message instanceof Error ? { err: message, msg: message.message } : { err: e, msg: message };
  const logger: CronLogger = {
    info: (message) => l.info(message),
    warn: (message) => l.warn(message),
    error: (message, e) => {
      const { err: errObj, msg } = err(message, e);
      l.error({ err: errObj }, msg);
    },
    debug: (message, e) => {
      const { err: errObj, msg } = err(message, e);
      l.debug({ err: errObj }, msg);
    },
  };
  setLogger(logger);
  return logger;
}
