import { jobSection, type Config } from '../config/load-config.js';
import type { Flavor } from '../db/dialect.js';
import { grantObjectText } from '../db/grant-text.js';
import { ownSchemaNeeds } from '../db/own-schema-privileges.js';
import type { AnyJob } from '../job/job-contract.js';
import type { PrivilegeNeed, PrivilegeScope } from '../db/privileges.js';

/** The needs of one part of dbkeeper: its own schema (`job` null) or one job. */
export interface NeedGroup {
  job: string | null;
  needs: PrivilegeNeed[];
}

export function scopeOf(config: Config): PrivilegeScope {
  return { database: config.db.database, schema: config.schema ?? config.db.database };
}

const needKey = (n: PrivilegeNeed) => `${n.privilege.toUpperCase()} ON ${grantObjectText(n.object)}`;

/** Needs for this flavor, each (privilege, object) once: the first declaration's words win. */
function forFlavor(needs: readonly PrivilegeNeed[], flavor: Flavor): PrivilegeNeed[] {
  const seen = new Set<string>();
  return needs.filter(
    (n) => (!n.dialect || n.dialect === flavor) && !seen.has(needKey(n)) && Boolean(seen.add(needKey(n))),
  );
}

/** Only enabled jobs count: each with its own section of the effective configuration. */
export function jobNeeds(config: Config, job: AnyJob, flavor: Flavor): PrivilegeNeed[] {
  const section = jobSection(config, job.name);
  if (!section || !job.privileges) return [];
  return forFlavor(job.privileges(section, scopeOf(config)), flavor);
}

/** dbkeeper's own schema first, then each enabled job in report order. */
export function effectiveNeeds(config: Config, jobs: readonly AnyJob[], flavor: Flavor): NeedGroup[] {
  return [
    { job: null, needs: forFlavor(ownSchemaNeeds(scopeOf(config).schema), flavor) },
    ...jobs
      .filter((j) => jobSection(config, j.name)?.enabled)
      .map((j) => ({ job: j.name, needs: jobNeeds(config, j, flavor) })),
  ];
}
