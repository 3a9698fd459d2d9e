import { describe, expect, it } from 'vitest';
import { pingPrivilegeReport } from '../../jobs/ping/privilege-report.js';
import { detectDialect } from '../../src/db/dialect.js';
import { judgeProbeError, probeFor } from '../../src/db/privilege-probe.js';
import { onSchema, onServer, onTable, type MissingPrivilege, type PrivilegeNeed } from '../../src/db/privileges.js';
import { MissingPrivilegeError, missingFor, withDegradedWarnings } from '../../src/app/privilege-check.js';

const mariadb = detectDialect('10.11.19-MariaDB-0+deb12u1');
const mysql8 = detectDialect('8.0.36');
const mysql8old = detectDialect('8.0.21');
const need = (privilege: string, object = onTable('booking', 'api_call_logs')): PrivilegeNeed => ({
  privilege,
  object,
  why: 'because',
});
const err = (errno: number, message: string) => Object.assign(new Error(message), { errno });

describe('probes: harmless statements that fail only on access', () => {
  it.each([
    ['SELECT', 'SELECT 1 FROM `booking`.`api_call_logs` LIMIT 0'],
    ['INSERT', 'EXPLAIN INSERT INTO `booking`.`api_call_logs` () VALUES ()'],
    ['DELETE', 'EXPLAIN DELETE FROM `booking`.`api_call_logs` WHERE FALSE'],
    ['DROP', 'ALTER TABLE `booking`.`api_call_logs` DROP PARTITION `dbkeeper_no_such_partition`'],
  ])('%s on a table', (privilege, sql) => {
    expect(probeFor(need(privilege), mariadb)?.sql).toBe(sql);
  });

  it('ALTER and DROP: refused after the check: no such partition (1507), not partitioned (1505)', () => {
    const probe = probeFor(need('ALTER'), mariadb)!;
    expect(probe.sql).toMatch(
      /^ALTER TABLE `booking`\.`api_call_logs` REORGANIZE PARTITION `dbkeeper_no_such_partition` INTO/,
    );
    expect(judgeProbeError(need('ALTER'), probe, err(1507, 'Wrong partition name or partition list'))).toEqual({
      kind: 'granted',
    });
    expect(
      judgeProbeError(
        need('ALTER'),
        probe,
        err(1505, 'Partition management on a not partitioned table is not possible'),
      ),
    ).toEqual({ kind: 'granted' });
  });

  it('replica status: the statement of the flavor and version (MySQL from recorded version strings)', () => {
    expect(probeFor(need('SLAVE MONITOR', onServer), mariadb)?.sql).toBe('SHOW ALL SLAVES STATUS');
    expect(probeFor(need('REPLICATION CLIENT', onServer), mysql8)?.sql).toBe('SHOW REPLICA STATUS');
    expect(probeFor(need('REPLICATION CLIENT', onServer), mysql8old)?.sql).toBe('SHOW SLAVE STATUS');
  });

  it('PROCESS: a filter on INNODB_METRICS (LIMIT 0 and WHERE FALSE skip the check on MariaDB)', () => {
    expect(probeFor(need('PROCESS', onServer), mysql8)?.sql).toBe(
      "SELECT COUNT(*) AS n FROM information_schema.INNODB_METRICS WHERE NAME = 'dbkeeper_probe'",
    );
  });

  it('none where no harmless statement proves the right: schema-level grants, UPDATE without a column', () => {
    expect(probeFor(need('SHOW VIEW', onSchema('booking')), mariadb)).toBeNull();
    expect(probeFor(need('UPDATE'), mariadb)).toBeNull();
    expect(probeFor({ ...need('SELECT'), probe: null }, mariadb)).toBeNull();
  });
});

describe('judging a probe error', () => {
  const drop = need('DROP');
  const probe = probeFor(drop, mariadb)!;
  it('an access error naming this privilege: missing', () => {
    expect(
      judgeProbeError(drop, probe, err(1142, "DROP, ALTER command denied to user 'k'@'%' for table `b`.`t`")).kind,
    ).toBe('missing');
    expect(
      judgeProbeError(
        need('SLAVE MONITOR', onServer),
        { sql: 'SHOW ALL SLAVES STATUS' },
        err(1227, 'Access denied; you need (at least one of) the SUPER, SLAVE MONITOR privilege(s)'),
      ).kind,
    ).toBe('missing');
  });
  it('an access error naming another privilege (the ALTER a DROP PARTITION also needs): not this one’s', () => {
    expect(
      judgeProbeError(drop, probe, err(1142, "ALTER command denied to user 'k'@'%' for table `b`.`drop_log`")).kind,
    ).toBe('granted');
  });
  it('any other error: unknown, not reported as missing (a missing table is the job’s to report)', () => {
    expect(judgeProbeError(need('SELECT'), { sql: 'x' }, err(1146, "Table 'b.t' doesn't exist")).kind).toBe('unknown');
  });
});

const missing = (job: string, privilege: string, degradesTo?: string): MissingPrivilege => ({
  job,
  privilege,
  object: '`b`.`t`',
  grant: `GRANT ${privilege} ON \`b\`.\`t\` TO \`k\`@\`%\`;`,
  why: 'why',
  ...(degradesTo ? { degradesTo } : {}),
});

describe('what the runner does with the findings', () => {
  const findings = {
    account: '`k`@`%`',
    missing: [
      missing('purge-locks', 'DELETE'),
      missing('purge-locks', 'SLAVE MONITOR', 'no lag throttle'),
      missing('health', 'PROCESS'),
    ],
  };

  it('per job: the rights it cannot do without, and those it runs without', () => {
    const mine = missingFor(findings, 'purge-locks');
    expect(mine.fatal.map((m) => m.privilege)).toEqual(['DELETE']);
    expect(mine.degraded.map((m) => m.privilege)).toEqual(['SLAVE MONITOR']);
    expect(missingFor(findings, 'ping')).toEqual({ fatal: [], degraded: [] });
    expect(missingFor(undefined, 'ping')).toEqual({ fatal: [], degraded: [] });
  });

  it('a job that cannot run fails with the GRANT in words', () => {
    expect(new MissingPrivilegeError('purge-locks', missingFor(findings, 'purge-locks').fatal).message).toBe(
      'purge-locks cannot run: missing DELETE on `b`.`t` (why): run GRANT DELETE ON `b`.`t` TO `k`@`%`;',
    );
  });

  it('a degraded run is a warning saying what it could not see', () => {
    const r = withDegradedWarnings({ status: 'ok', summary: 's' }, missingFor(findings, 'purge-locks').degraded);
    expect(r.status).toBe('warning');
    expect(r.warnings).toEqual([
      'without SLAVE MONITOR on `b`.`t` (why): no lag throttle; to see it: GRANT SLAVE MONITOR ON `b`.`t` TO `k`@`%`;',
    ]);
    expect(withDegradedWarnings({ status: 'ok', summary: 's' }, [])).toEqual({ status: 'ok', summary: 's' });
  });

  it('ping reports every missing right, its job and the GRANTs to add', () => {
    const r = pingPrivilegeReport(findings);
    expect(r.summary).toBe('; 3 privileges missing for purge-locks, health (2 stop a job)');
    expect(r.sections.find((s) => s.kind === 'sql')).toEqual({
      kind: 'sql',
      title: 'GRANTs to add (run by a DBA)',
      statements: findings.missing.map((m) => m.grant),
    });
    expect(pingPrivilegeReport({ account: 'x', missing: [] })).toEqual({
      summary: '',
      missing: [],
      warnings: [],
      sections: [],
    });
    expect(pingPrivilegeReport(null).missing).toEqual([]);
  });
});
