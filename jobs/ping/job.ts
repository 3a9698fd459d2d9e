import type { RowDataPacket } from 'mysql2/promise';
import { readStatusNumber } from '../../src/db/global-status.js';
import { defineJob } from '../../src/job/job-contract.js';
import { pingConfigSchema, pingDefaults } from './config.js';
import { pingPrivileges } from './privileges.js';
import { pingPrivilegeReport } from './privilege-report.js';

/** Proves the whole path (lock, run row, guards, report) without touching anything. */
export const pingJob = defineJob({
  name: 'ping',
  description: 'Server flavor, version, uptime and read_only: proves dbkeeper can reach the database',
  period: 'daily',
  schedule: pingDefaults.schedule,
  configSchema: pingConfigSchema,
  privileges: pingPrivileges,
  writes: false,
  async run(ctx) {
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
    };
  },
});
