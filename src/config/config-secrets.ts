import type { Config } from './load-config.js';

/** Values that never appear in a log line, a report or an .eml: the DB and SMTP passwords, and the SMTP_URL
 * password both as written in the URL and decoded. */
export function configSecrets(config: Config): string[] {
  const out = [config.db.password, config.report.smtp.password];
  if (config.report.smtp.url) {
    try {
      const inUrl = new URL(config.report.smtp.url).password;
      out.push(inUrl);
      out.push(decodeURIComponent(inUrl));
    } catch {
      /* validated at start-up */
    }
  }
  return out.filter((s): s is string => typeof s === 'string' && s !== '');
}
