import type { RowDataPacket } from 'mysql2/promise';
import type { z } from 'zod';
import { readStatusNumber } from '../../src/db/global-status.js';
import type { JobContext, JobResult } from '../../src/job/job-contract.js';
import type { pingConfigSchema } from './config.js';
import { pingPrivilegeReport } from './privilege-report.js';

/** Server flavor, version, uptime and read_only, and what the start-up probes found missing. */
export async function runPing(ctx: JobContext<z.infer<typeof pingConfigSchema>>) {
  const [row] = await ctx.db.query<RowDataPacket[]>('SELECT VERSION() AS version, @@global.read_only AS read_only');
  const uptimeSeconds = await readStatusNumber(ctx.db, 'Uptime');
  const details = {
    flavor: ctx.db.dialect.flavor,
    version: String(row!.version),
    uptimeSeconds,
    readOnly: Number(row!.read_only) === 1,
  };
  const up = `up ${Math.floor(details.uptimeSeconds / 3600)} h${details.readOnly ? ', read_only' : ''}`;
  const summary = `${details.flavor} ${details.version}, ${up}`;
  const rights = pingPrivilegeReport(ctx.privileges ?? null);
  return {
    status: rights.missing.length > 0 ? 'warning' : 'ok',
    summary: `${summary}${rights.summary}`,
    details: {
      ...details,
      privileges: {
        account: ctx.privileges?.account ?? null,
        checked: Boolean(ctx.privileges),
        missing: rights.missing,
      },
    },
    ...(rights.warnings.length ? { warnings: rights.warnings } : {}),
    ...(rights.sections.length ? { sections: rights.sections } : {}),
  } satisfies JobResult;
}
