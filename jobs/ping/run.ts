import type { RowDataPacket } from 'mysql2/promise';
import { readStatusNumber } from '../../src/db/global-status.js';
import type { JobContext, JobResult } from '../../src/job/job-contract.js';

/** Proves the whole path (lock, run row, guards, report) without touching anything. */
export async function runPing(ctx: JobContext): Promise<JobResult> {
  const [row] = await ctx.db.query<RowDataPacket[]>('SELECT VERSION() AS version, @@global.read_only AS read_only');
  const uptimeSeconds = await readStatusNumber(ctx.db, 'Uptime');
  const details = {
    flavor: ctx.db.dialect.flavor,
    version: String(row!.version),
    uptimeSeconds,
    readOnly: Number(row!.read_only) === 1,
  };
  return {
    status: 'ok',
    summary: `${details.flavor} ${details.version}, up ${Math.floor(details.uptimeSeconds / 3600)} h${details.readOnly ? ', read_only' : ''}`,
    details,
  };
}
