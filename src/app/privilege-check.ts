import type { Connection, RowDataPacket } from 'mysql2/promise';
import type { Config } from '../config/load-config.js';
import { DbConnectError } from '../db/db-connect-error.js';
import type { Dialect } from '../db/dialect.js';
import { accountOfCurrentUser, accountText, grantObjectText, grantStatement, type Account } from '../db/grant-text.js';
import { probeFor, runProbe } from '../db/privilege-probe.js';
import type { AnyJob, JobResult } from '../job/job-contract.js';
import type { MissingPrivilege, PrivilegeFindings, PrivilegeNeed } from '../db/privileges.js';
import { effectiveNeeds } from './privilege-needs.js';

type Q = Pick<Connection, 'query'>;

async function probeNeeds(
  conn: Q,
  dialect: Dialect,
  job: string | null,
  needs: readonly PrivilegeNeed[],
  account: Account,
): Promise<MissingPrivilege[]> {
  const missing: MissingPrivilege[] = [];
  for (const need of needs) {
    const probe = probeFor(need, dialect);
    if (!probe) continue;
    const outcome = await runProbe((sql) => conn.query(sql), need, probe);
    if (outcome.kind !== 'missing') continue;
    missing.push({
      job,
      privilege: need.privilege,
      object: grantObjectText(need.object),
      grant: grantStatement([need.privilege], need.object, account),
      why: need.why,
      ...(need.degradesTo ? { degradesTo: need.degradesTo } : {}),
    });
  }
  return missing;
}

async function currentAccount(conn: Q): Promise<Account> {
  const [rows] = await conn.query<RowDataPacket[]>('SELECT CURRENT_USER() AS u');
  return accountOfCurrentUser(String(rows[0]!.u));
}

/** Probes dbkeeper's own schema (`ownSchema: false` for dry runs: its CREATE probe would create a missing table) and
 * every enabled job once, on one connection (its session guards already set).
 * A missing right on the own schema throws a permanent DbConnectError (exit 78) naming the GRANTs to add. */
export async function checkPrivileges(
  conn: Q,
  dialect: Dialect,
  config: Config,
  jobs: readonly AnyJob[],
  opts: { ownSchema: boolean },
): Promise<PrivilegeFindings> {
  const account = await currentAccount(conn);
  const [own, ...perJob] = effectiveNeeds(config, jobs, dialect.flavor);
  const ownMissing = opts.ownSchema ? await probeNeeds(conn, dialect, null, own!.needs, account) : [];
  if (ownMissing.length > 0) {
    const schema = ownMissing[0]!.object;
    const grant = grantStatement(
      ownMissing.map((m) => m.privilege),
      own!.needs[0]!.object,
      account,
    );
    const what = ownMissing.map((m) => m.privilege).join(', ');
    throw new DbConnectError(
      `missing rights on DBKEEPER_SCHEMA ${schema} (${what}): run ${grant} ` +
        'or set DBKEEPER_SCHEMA to a schema this user may use',
      'DBKEEPER_SCHEMA_RIGHTS',
      true,
    );
  }
  const missing: MissingPrivilege[] = [];
  for (const g of perJob) missing.push(...(await probeNeeds(conn, dialect, g.job, g.needs, account)));
  return { account: accountText(account), missing };
}

/** The words a person reads: the privilege, why, and the GRANT to add. */
export function missingPrivilegeText(m: MissingPrivilege): string {
  const what = `${m.privilege} on ${m.object} (${m.why})`;
  return m.degradesTo ? `without ${what}: ${m.degradesTo}; to see it: ${m.grant}` : `missing ${what}: run ${m.grant}`;
}

export class MissingPrivilegeError extends Error {
  override name = 'MissingPrivilegeError';
  constructor(job: string, missing: readonly MissingPrivilege[]) {
    super(`${job} cannot run: ${missing.map(missingPrivilegeText).join('; ')}`);
  }
}

export function missingFor(
  findings: PrivilegeFindings | undefined,
  job: string,
): { fatal: MissingPrivilege[]; degraded: MissingPrivilege[] } {
  const mine = findings?.missing.filter((m) => m.job === job) ?? [];
  return { fatal: mine.filter((m) => !m.degradesTo), degraded: mine.filter((m) => m.degradesTo) };
}

/** A job that ran without some rights says what it could not see: a warning each, the run a warning. */
export function withDegradedWarnings(result: JobResult, degraded: readonly MissingPrivilege[]): JobResult {
  if (degraded.length === 0) return result;
  return {
    ...result,
    status: result.status === 'ok' ? 'warning' : result.status,
    warnings: [...(result.warnings ?? []), ...degraded.map(missingPrivilegeText)],
  };
}
