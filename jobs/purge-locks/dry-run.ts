import type { RowDataPacket } from 'mysql2/promise';
import type { JobDb } from '../../src/db/job-db.js';
import type { TargetPlan } from './plan.js';
import type { DryRunTarget } from './report.js';

/** --dry-run: counts what would go and EXPLAINs the chunk query; reads only. */
export async function inspectTarget(
  db: Pick<JobDb, 'query'>,
  plan: TargetPlan,
  chunkRows: number,
): Promise<DryRunTarget> {
  const count = await db.query<RowDataPacket[]>(plan.countSql, [plan.cutoff]);
  const first = await db.query<RowDataPacket[]>(`EXPLAIN ${plan.selectFirstSql}`, [plan.cutoff, chunkRows]);
  // The next-chunk query as it would run after the first expired row.
  const head = await db.query<RowDataPacket[]>(plan.selectFirstSql, [plan.cutoff, 1]);
  const key = head[0] ? { expiry: String(head[0].expiry), id: head[0].id as unknown } : { expiry: plan.cutoff, id: 0 };
  const next = await db.query<RowDataPacket[]>(`EXPLAIN ${plan.selectNextSql}`, [
    plan.cutoff,
    key.expiry,
    key.expiry,
    key.expiry,
    key.id,
    chunkRows,
  ]);
  return {
    plan,
    wouldDelete: Number(count[0]!.n),
    explain: { first: first.map((r) => ({ ...r })), next: next.map((r) => ({ ...r })) },
  };
}
