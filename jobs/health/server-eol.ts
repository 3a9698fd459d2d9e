import type { Flavor } from '../../src/db/dialect.js';

/** When this table was last checked against the vendors' published policies. */
export const SERVER_EOL_TABLE_CHECKED = '2026-12-01';

/** End of community maintenance by release series (UTC dates). MariaDB: mariadb.org maintenance policy (LTS five years,
 * short-term releases one year); MySQL: Oracle's lifetime support policy (end of extended support). */
const EOL: Record<Flavor, Record<string, string>> = {
  mariadb: {
    '10.3': '2023-05-25',
    '10.4': '2024-06-18',
    '10.5': '2025-06-24',
    '10.6': '2026-07-06',
    '10.7': '2023-02-09',
    '10.8': '2023-05-20',
    '10.9': '2023-08-22',
    '10.10': '2023-11-17',
    '10.11': '2028-02-16',
    '11.0': '2024-06-06',
    '11.1': '2024-08-21',
    '11.2': '2024-11-21',
    '11.3': '2024-05-29',
    '11.4': '2029-05-29',
  },
  mysql: {
    '5.6': '2021-02-28',
    '5.7': '2023-10-31',
    '8.0': '2026-04-30',
    '8.4': '2032-04-30',
  },
};

export interface EolVerdict {
  /** The series, e.g. "10.11". */
  series: string;
  /** ISO date, or null when the series is not in the table. */
  eol: string | null;
  status: 'ok' | 'warn' | 'n/a';
  note: string;
}

/** Where the server's release series stands against the table at `now`: warn within `warnDays` of its end of life
 * or after it. Never "fail": an old server still serves. */
export function serverEolVerdict(
  flavor: Flavor,
  major: number,
  minor: number,
  now: Date,
  warnDays: number,
): EolVerdict {
  const series = `${major}.${minor}`;
  const eol = EOL[flavor][series] ?? null;
  const name = `${flavor === 'mariadb' ? 'MariaDB' : 'MySQL'} ${series}`;
  if (eol === null) {
    return {
      series,
      eol,
      status: 'n/a',
      note: `${name} is not in dbkeeper's end-of-life table (checked ${SERVER_EOL_TABLE_CHECKED})`,
    };
  }
  const days = Math.floor((Date.parse(`${eol}T00:00:00Z`) - now.getTime()) / 86_400_000);
  if (days < 0)
    return {
      series,
      eol,
      status: 'warn',
      note: `${name} reached its end of life on ${eol} (${-days} days ago): no more security fixes`,
    };
  if (days <= warnDays)
    return { series, eol, status: 'warn', note: `${name} reaches its end of life on ${eol}, in ${days} days` };
  return { series, eol, status: 'ok', note: `${name} is maintained until ${eol} (${days} days)` };
}
