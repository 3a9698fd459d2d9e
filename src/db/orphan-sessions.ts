import type { Connection, RowDataPacket } from 'mysql2/promise';
import { killStatement } from './kill-query.js';
import { quoteId } from './sql-identifier.js';

type Q = Pick<Connection, 'query'>;

export interface OrphanSessionKill {
  runId: number;
  jobConnectionId: number;
  /** The session left the processlist within the wait. */
  gone: boolean;
}

/**
 * The job sessions of runs left `running` by a process that died: a statement waiting on the server (a lock wait)
 * outlives its client until it answers, and would go on writing beside the next run. Each one still on the server
 * is KILLed (and waited for) if it is provably that run's: its current command began after the run started
 * (processlist TIME ≤ the row's age) and the server has been up since then (so the id was not reused after a
 * restart). Call only while holding the job's named lock, before marking the rows interrupted.
 */
export async function killOrphanSessions(
  conn: Q,
  schema: string,
  job: string,
  opts: { queryTimeoutMs: number; waitMs: number },
): Promise<OrphanSessionKill[]> {
  const [runs] = await conn.query<RowDataPacket[]>(
    `SELECT id, job_connection_id, TIMESTAMPDIFF(SECOND, started_at, UTC_TIMESTAMP()) AS age
       FROM ${quoteId(schema)}.dbkeeper_runs WHERE job = ? AND status = 'running' AND job_connection_id IS NOT NULL`,
    [job],
  );
  if (runs.length === 0) return [];
  const [status] = await conn.query<RowDataPacket[]>("SHOW GLOBAL STATUS LIKE 'Uptime'");
  const uptime = Number(status[0]?.Value ?? 0);
  const killed: OrphanSessionKill[] = [];
  for (const run of runs) {
    const jobConnectionId = Number(run.job_connection_id);
    const age = Number(run.age);
    if (uptime < age) continue; // restarted since: the id may belong to another session now
    const [sessions] = await conn.query<RowDataPacket[]>(
      'SELECT TIME AS time FROM information_schema.PROCESSLIST WHERE ID = ?',
      [jobConnectionId],
    );
    if (!sessions[0] || Number(sessions[0].time) > age) continue;
    const kill = await killStatement(conn, jobConnectionId, {
      queryTimeoutMs: opts.queryTimeoutMs,
      waitMs: opts.waitMs,
    });
    if (kill.error)
      throw new Error(`could not KILL the session ${jobConnectionId} of run ${Number(run.id)}: ${kill.error}`);
    killed.push({ runId: Number(run.id), jobConnectionId, gone: kill.gone });
  }
  return killed;
}

/** The log line of a KILLed leftover session. */
export function orphanKillText(k: OrphanSessionKill): string {
  return `KILLed the session ${k.jobConnectionId} that run ${k.runId} left on the server${k.gone ? '' : ' (still there after the kill wait)'}`;
}
