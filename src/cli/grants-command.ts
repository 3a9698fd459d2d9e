import type { Config } from '../config/load-config.js';
import type { Flavor } from '../db/dialect.js';
import { accountText, grantObjectText, grantStatement, type Account } from '../db/grant-text.js';
import { quoteId } from '../db/sql-identifier.js';
import type { AnyJob } from '../job/job-contract.js';
import type { PrivilegeNeed } from '../db/privileges.js';
import { effectiveNeeds, scopeOf, type NeedGroup } from '../app/privilege-needs.js';
import { replicaNeeds, type ReplicaNeedGroup } from '../app/replica-privilege-needs.js';

const FLAVOR_NAME: Record<Flavor, string> = { mariadb: 'MariaDB 10.6+', mysql: 'MySQL 8' };

/** One GRANT per object (privileges in declaration order), each privilege's reason above it. */
function groupLines(g: NeedGroup, account: Account): string[] {
  const byObject = new Map<string, PrivilegeNeed[]>();
  for (const n of g.needs)
    byObject.set(grantObjectText(n.object), [...(byObject.get(grantObjectText(n.object)) ?? []), n]);
  const lines: string[] = [];
  for (const needs of byObject.values()) {
    for (const n of needs)
      lines.push(`--   ${n.privilege}: ${n.why}${n.degradesTo ? ` (without it: ${n.degradesTo})` : ''}`);
    lines.push(
      grantStatement(
        needs.map((n) => n.privilege),
        needs[0]!.object,
        account,
      ),
    );
  }
  return lines;
}

/** The GRANT statements of the effective configuration for one flavor, grouped per job. */
export function renderGrants(
  groups: readonly NeedGroup[],
  flavor: Flavor,
  account: Account,
  scope: { database: string; schema: string },
  replicas: readonly ReplicaNeedGroup[] = [],
): string {
  const [own, ...jobs] = groups;
  const out = [
    `-- dbkeeper on ${FLAVOR_NAME[flavor]}: the GRANTs of this configuration for ${accountText(account)}`,
    `-- database ${quoteId(scope.database)}, DBKEEPER_SCHEMA ${quoteId(scope.schema)}; ` +
      `enabled jobs: ${jobs.map((g) => g.job).join(', ') || 'none'}`,
    `-- create the account first (choose its password): CREATE USER ${accountText(account)} IDENTIFIED BY '…';`,
    '',
    `-- dbkeeper's own tables (runs, migrations, snapshots, baselines, usage and digest samples)`,
    ...(scope.schema === scope.database
      ? ['-- (DBKEEPER_SCHEMA is the application database: these rights cover its tables too; see docs/privileges.md)']
      : []),
    ...groupLines(own!, account),
  ];
  for (const g of jobs) {
    out.push('', `-- job ${g.job}`);
    if (g.needs.length === 0) out.push('--   needs no grant beyond the connection (USAGE)');
    else out.push(...groupLines(g, account));
  }
  for (const r of replicas) {
    // Run on the primary: GRANTs replicate. The host part is the replica user's; adjust it to where dbkeeper runs.
    const replicaAccount = { user: r.user, host: account.host };
    out.push(
      '',
      `-- replica user ${accountText(replicaAccount)} (${r.nodes.join(', ')}): run on the primary, GRANTs replicate`,
    );
    out.push(...groupLines({ job: null, needs: r.needs }, replicaAccount));
  }
  return out.join('\n');
}

/** Both flavors when the server did not answer; else the connected one (or the one asked for). */
export function grantsText(
  config: Config,
  jobs: readonly AnyJob[],
  flavors: readonly Flavor[],
  account: Account,
): string {
  return flavors
    .map((f) => renderGrants(effectiveNeeds(config, jobs, f), f, account, scopeOf(config), replicaNeeds(config, f)))
    .join('\n\n');
}
