import type { RowDataPacket } from 'mysql2/promise';
import { z } from 'zod';
import { defineJob } from '../src/job/job-contract.js';

/** Proves the whole path (lock, run row, guards, report) without touching anything. */
export const pingJob = defineJob({
  name: 'ping',
  description: 'Server flavor, version, uptime and read_only: proves dbkeeper can reach the database',
  period: 'daily',
  schedule: '15 3 * * *',
  configSchema: z.object({}),
  writes: false,
  async run(ctx) {
    const rows = await ctx.db.query<RowDataPacket[]>('SELECT VERSION() AS version, @@global.read_only AS read_only');
    // SHOW GLOBAL STATUS works on both servers; MySQL 8 has no information_schema.GLOBAL_STATUS.
    const status = await ctx.db.query<RowDataPacket[]>("SHOW GLOBAL STATUS LIKE 'Uptime'");
    const row = { version: rows[0]!.version as unknown, read_only: rows[0]!.read_only as unknown, uptime: status[0]?.Value as unknown };
    const details = {
      flavor: ctx.db.dialect.flavor,
      version: String(row.version),
      uptimeSeconds: Number(row.uptime),
      readOnly: Number(row.read_only) === 1,
    };
    return {
      status: 'ok',
      summary: `${details.flavor} ${details.version}, up ${Math.floor(details.uptimeSeconds / 3600)} h${details.readOnly ? ', read_only' : ''}`,
      details,
    };
  },
});
