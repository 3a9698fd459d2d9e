import { describe, expect, it } from 'vitest';
import { ALL_JOBS } from '../../jobs/index.js';
import { grantsText } from '../../src/cli/grants-command.js';
import { parseArgs, UsageError } from '../../src/cli/parse-args.js';
import { loadConfig } from '../../src/config/load-config.js';
import { accountText, parseAccount } from '../../src/db/grant-text.js';
import { effectiveNeeds } from '../../src/app/privilege-needs.js';

const DBKEEPER = { user: 'dbkeeper', host: '10.%' };
const config = (overrides: Record<string, unknown> = {}) =>
  loadConfig({ jobs: ALL_JOBS, env: {}, overrides: { schema: 'dbkeeper', ...overrides } });
const grantLines = (text: string) => text.split('\n').filter((l) => l.startsWith('GRANT '));

/** The statements of one job's section of the printed text. */
function section(text: string, job: string): string[] {
  const lines = text.split('\n');
  const start = lines.indexOf(`-- job ${job}`);
  const end = lines.findIndex((l, i) => i > start && l.startsWith('-- job '));
  return grantLines(lines.slice(start, end < 0 ? undefined : end).join('\n'));
}

describe('grants for the default configuration', () => {
  const mariadb = grantsText(config(), ALL_JOBS, ['mariadb'], DBKEEPER);
  const mysql = grantsText(config(), ALL_JOBS, ['mysql'], DBKEEPER);

  it("dbkeeper's own schema apart, with the rights its migrations need", () => {
    expect(grantLines(mariadb)[0]).toBe(
      'GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, ALTER ON `dbkeeper`.* TO `dbkeeper`@`10.%`;',
    );
    expect(grantLines(mysql)[0]).toBe(grantLines(mariadb)[0]);
  });

  it('MariaDB: SLAVE MONITOR for replica status, PROCESS only for the DDL jobs, no REPLICATION CLIENT', () => {
    expect(section(mariadb, 'purge-locks')).toEqual([
      'GRANT SELECT, DELETE ON `test`.`appointment_locks` TO `dbkeeper`@`10.%`;',
      'GRANT SLAVE MONITOR ON *.* TO `dbkeeper`@`10.%`;',
    ]);
    expect(mariadb).not.toMatch(/REPLICATION CLIENT/);
    // The metadata-lock pre-check before a rebuild or a partition ALTER reads INNODB_TRX and the processlist.
    for (const job of ['table-maintenance', 'partitions'])
      expect(section(mariadb, job)).toContain('GRANT PROCESS ON *.* TO `dbkeeper`@`10.%`;');
    for (const job of ['ping', 'purge-locks', 'health', 'index-review', 'performance-review'])
      expect(section(mariadb, job).join('\n')).not.toContain('PROCESS');
    expect(section(mariadb, 'index-review')).toEqual([
      'GRANT SHOW VIEW ON `test`.* TO `dbkeeper`@`10.%`;',
      'GRANT SELECT ON `mysql`.`innodb_index_stats` TO `dbkeeper`@`10.%`;',
    ]);
  });

  it('MySQL 8: REPLICATION CLIENT, PROCESS for INNODB_METRICS, performance_schema usage counters', () => {
    expect(section(mysql, 'purge-locks')).toContain('GRANT REPLICATION CLIENT ON *.* TO `dbkeeper`@`10.%`;');
    expect(section(mysql, 'health')).toContain('GRANT PROCESS, REPLICATION CLIENT ON *.* TO `dbkeeper`@`10.%`;');
    expect(section(mysql, 'index-review')).toContain(
      'GRANT SELECT ON `performance_schema`.`table_io_waits_summary_by_index_usage` TO `dbkeeper`@`10.%`;',
    );
    expect(mysql).not.toContain('SLAVE MONITOR');
  });

  it('never REPLICATION SLAVE ADMIN, SUPER or ALL on either', () => {
    for (const text of [mariadb, mysql])
      expect(grantLines(text).join('\n')).not.toMatch(/SLAVE ADMIN|SUPER|ALL PRIVILEGES|GRANT OPTION/);
  });

  it('the writing jobs get exactly their verbs on their tables', () => {
    expect(section(mariadb, 'partitions')).toEqual([
      'GRANT SELECT, ALTER, DROP ON `test`.`api_call_logs` TO `dbkeeper`@`10.%`;',
      'GRANT PROCESS ON *.* TO `dbkeeper`@`10.%`;',
    ]);
    expect(section(mariadb, 'table-maintenance')).toEqual([
      'GRANT SELECT, INSERT, ALTER ON `test`.`appointments` TO `dbkeeper`@`10.%`;',
      'GRANT SELECT, INSERT ON `test`.`customers` TO `dbkeeper`@`10.%`;',
      'GRANT SELECT, INSERT ON `test`.`calls` TO `dbkeeper`@`10.%`;',
      'GRANT PROCESS ON *.* TO `dbkeeper`@`10.%`;',
      'GRANT SELECT ON `mysql`.`innodb_table_stats` TO `dbkeeper`@`10.%`;',
    ]);
    expect(section(mariadb, 'ping')).toEqual([]);
    // MySQL: the manual's ALTER, CREATE, INSERT for ALTER TABLE … FORCE; the lock view of performance_schema.
    expect(section(mysql, 'table-maintenance')).toContain(
      'GRANT SELECT, INSERT, ALTER, CREATE ON `test`.`appointments` TO `dbkeeper`@`10.%`;',
    );
    expect(section(mysql, 'partitions')).toContain(
      'GRANT SELECT ON `performance_schema`.`metadata_locks` TO `dbkeeper`@`10.%`;',
    );
  });

  it('each privilege comes with why, and what degrades without it', () => {
    expect(mariadb).toContain('--   SLAVE MONITOR: reads replica lag between chunks');
    expect(mariadb).toMatch(/-- {3}SELECT: index sizes .* \(without it: findings without index sizes/);
  });
});

describe('grants follow the effective configuration', () => {
  it('only enabled jobs, their configured tables and schemas', () => {
    const text = grantsText(
      config({
        db: { database: 'booking' },
        jobs: {
          partitions: { enabled: false },
          'purge-locks': {
            targets: [{ table: '2fa codes`x', expiryColumn: 'exp', graceSeconds: 0, datetimeZone: 'server' }],
          },
          'table-maintenance': { schema: 'stats', analyzeTables: ['calls'], optimizeTables: [] },
          'index-review': { schemas: ['booking', 'billing'] },
        },
      }),
      ALL_JOBS,
      ['mariadb'],
      DBKEEPER,
    );
    expect(text).not.toContain('-- job partitions');
    // Only health's read of the API log remains once partitions is off: no ALTER or DROP on it.
    expect(text).not.toMatch(/ALTER, DROP ON `booking`\.`api_call_logs`/);
    expect(section(text, 'health')).toContain('GRANT SELECT ON `booking`.`api_call_logs` TO `dbkeeper`@`10.%`;');
    expect(section(text, 'purge-locks')[0]).toBe(
      'GRANT SELECT, DELETE ON `booking`.`2fa codes``x` TO `dbkeeper`@`10.%`;',
    );
    expect(section(text, 'table-maintenance')[0]).toBe('GRANT SELECT, INSERT ON `stats`.`calls` TO `dbkeeper`@`10.%`;');
    expect(section(text, 'index-review')).toContain('GRANT SHOW VIEW ON `billing`.* TO `dbkeeper`@`10.%`;');
  });

  it('archive mode needs schema-level rights for the new tables; drop mode does not', () => {
    const needs = (pastRetention: string) =>
      effectiveNeeds(config({ jobs: { partitions: { pastRetention } } }), ALL_JOBS, 'mariadb').find(
        (g) => g.job === 'partitions',
      )!.needs;
    expect(needs('drop').filter((n) => n.object.kind === 'schema')).toEqual([]);
    expect(
      needs('archive')
        .filter((n) => n.object.kind === 'schema')
        .map((n) => n.privilege),
    ).toEqual(['CREATE', 'DROP', 'ALTER', 'INSERT', 'SELECT']);
  });

  it('DBKEEPER_SCHEMA unset: the own-schema grant is on the application database, and the text says so', () => {
    const text = grantsText(config({ schema: null }), ALL_JOBS, ['mariadb'], DBKEEPER);
    expect(grantLines(text)[0]).toBe(
      'GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, ALTER ON `test`.* TO `dbkeeper`@`10.%`;',
    );
    expect(text).toContain('DBKEEPER_SCHEMA is the application database');
  });
});

describe('the account', () => {
  it.each([
    ["'dbkeeper'@'10.%'", { user: 'dbkeeper', host: '10.%' }],
    ['`dbkeeper`@`10.%`', { user: 'dbkeeper', host: '10.%' }],
    ['dbkeeper@localhost', { user: 'dbkeeper', host: 'localhost' }],
    ['dbkeeper', { user: 'dbkeeper', host: '%' }],
    ["'o''brien'@'%'", { user: "o'brien", host: '%' }],
  ])('%s', (text, account) => {
    expect(parseAccount(text)).toEqual(account);
  });

  it.each([
    ["a'b", /quote both parts/],
    ["''@'%'", /user name is empty/],
    ["'x'@''", /host is empty/],
    ['u'.repeat(81), /longer than 80/],
    ['bad\nuser', /control characters/],
  ])('refuses %j', (text, problem) => {
    expect(parseAccount(text)).toMatch(problem);
  });

  it('is quoted like an identifier: a backtick doubled, no string literal to escape', () => {
    expect(accountText({ user: 'we`ird', host: "10.%'" })).toBe("`we``ird`@`10.%'`");
  });

  it('grants --user with a bad account: a usage error naming the flag', () => {
    expect(() => parseArgs(['grants', '--user', "a'b"], () => undefined)).toThrow(UsageError);
    expect(() => parseArgs(['grants', '--user', "a'b"], () => undefined)).toThrow(/^--user: /);
    expect(() => parseArgs(['grants', '--user'], () => undefined)).toThrow(/--user needs an account/);
    expect(() => parseArgs(['grants', '--dialect', 'oracle'], () => undefined)).toThrow(/^--dialect: mariadb or mysql/);
    expect(() => parseArgs(['grants', '--users', 'x'], () => undefined)).toThrow(/grants: unknown argument --users/);
    expect(parseArgs(['grants', "--user='k'@'%'", '--dialect=mysql'], () => undefined)).toEqual({
      kind: 'grants',
      account: { user: 'k', host: '%' },
      dialect: 'mysql',
    });
  });
});

describe('grants for the health figures of the platform and the opt-in account checks', () => {
  it('SELECT on the API log table by default, on the booking table once configured', () => {
    const bookings = {
      jobs: {
        health: {
          bookingSuccess: {
            enabled: true,
            table: 'bookings',
            timeColumn: 'created_at',
            statusColumn: 'status',
            successValues: ['confirmed'],
          },
        },
      },
    };
    const text = grantsText(config(bookings), ALL_JOBS, ['mariadb'], DBKEEPER);
    expect(section(text, 'health')).toContain('GRANT SELECT ON `test`.`api_call_logs` TO `dbkeeper`@`10.%`;');
    expect(section(text, 'health')).toContain('GRANT SELECT ON `test`.`bookings` TO `dbkeeper`@`10.%`;');
    const off = grantsText(
      config({ jobs: { health: { apiResponse: { enabled: false } } } }),
      ALL_JOBS,
      ['mariadb'],
      DBKEEPER,
    );
    expect(section(off, 'health').join('\n')).not.toContain('api_call_logs');
  });

  it('account checks: mysql.global_priv on MariaDB, mysql.user on MySQL, only when opted in', () => {
    const on = config({ jobs: { health: { accountChecks: true } } });
    expect(section(grantsText(on, ALL_JOBS, ['mariadb'], DBKEEPER), 'health')).toContain(
      'GRANT SELECT ON `mysql`.`global_priv` TO `dbkeeper`@`10.%`;',
    );
    expect(section(grantsText(on, ALL_JOBS, ['mysql'], DBKEEPER), 'health')).toContain(
      'GRANT SELECT ON `mysql`.`user` TO `dbkeeper`@`10.%`;',
    );
    expect(grantsText(config(), ALL_JOBS, ['mariadb'], DBKEEPER)).not.toMatch(/global_priv|`mysql`\.`user`/);
  });
});

describe('grants for the replica user (DB_READ_* or replicas.nodes)', () => {
  const withReplica = () =>
    loadConfig({
      jobs: ALL_JOBS,
      env: { DB_READ_HOST: '10.0.0.7', DB_READ_USERNAME: 'reader' },
      overrides: { schema: 'dbkeeper' },
    });
  const replicaSection = (text: string) => {
    const lines = text.split('\n');
    const start = lines.findIndex((l) => l.startsWith('-- replica user'));
    return start < 0 ? [] : grantLines(lines.slice(start).join('\n'));
  };

  it('MariaDB: SLAVE MONITOR, the heartbeat row, and SELECT where INDEX_STATISTICS must see the tables', () => {
    const text = grantsText(withReplica(), ALL_JOBS, ['mariadb'], DBKEEPER);
    expect(text).toContain('-- replica user `reader`@`10.%` (10.0.0.7:3306): run on the primary, GRANTs replicate');
    expect(replicaSection(text)).toEqual([
      'GRANT SLAVE MONITOR ON *.* TO `reader`@`10.%`;',
      'GRANT SELECT ON `dbkeeper`.`dbkeeper_heartbeat` TO `reader`@`10.%`;',
      'GRANT SELECT ON `test`.* TO `reader`@`10.%`;',
      'GRANT SELECT ON `performance_schema`.`events_statements_summary_by_digest` TO `reader`@`10.%`;',
      'GRANT SELECT ON `mysql`.`slow_log` TO `reader`@`10.%`;',
    ]);
  });

  it('MySQL 8: REPLICATION CLIENT and the performance_schema usage counters; never REPLICATION SLAVE ADMIN', () => {
    const text = grantsText(withReplica(), ALL_JOBS, ['mysql'], DBKEEPER);
    expect(replicaSection(text)).toEqual([
      'GRANT REPLICATION CLIENT ON *.* TO `reader`@`10.%`;',
      'GRANT SELECT ON `dbkeeper`.`dbkeeper_heartbeat` TO `reader`@`10.%`;',
      'GRANT SELECT ON `performance_schema`.`table_io_waits_summary_by_index_usage` TO `reader`@`10.%`;',
      'GRANT SELECT ON `performance_schema`.`events_statements_summary_by_digest` TO `reader`@`10.%`;',
      'GRANT SELECT ON `mysql`.`slow_log` TO `reader`@`10.%`;',
    ]);
    expect(text).not.toMatch(/SLAVE ADMIN|REPLICA ADMIN/);
  });

  it("the performance review's statement sources on the replica only while that job is enabled", () => {
    const off = loadConfig({
      jobs: ALL_JOBS,
      env: { DB_READ_HOST: '10.0.0.7', DB_READ_USERNAME: 'reader' },
      overrides: { schema: 'dbkeeper', jobs: { 'performance-review': { enabled: false } } },
    });
    for (const flavor of ['mariadb', 'mysql'] as const) {
      const lines = replicaSection(grantsText(off, ALL_JOBS, [flavor], DBKEEPER)).join('\n');
      expect(lines).not.toContain('events_statements_summary_by_digest');
      expect(lines).not.toContain('slow_log');
    }
    const on = grantsText(withReplica(), ALL_JOBS, ['mariadb'], DBKEEPER);
    expect(on).toContain("--   SELECT: the performance review's top statements served by this replica");
  });

  it('no replica configured: no replica section', () => {
    expect(grantsText(config(), ALL_JOBS, ['mariadb'], DBKEEPER)).not.toContain('-- replica user');
  });
});
