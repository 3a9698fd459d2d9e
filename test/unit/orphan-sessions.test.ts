import { describe, expect, it } from 'vitest';
import { killOrphanSessions } from '../../src/db/orphan-sessions.js';

/** A fake server: one orphaned run of `ageSeconds`, its session at `time` seconds in the processlist (or gone),
 * up for `uptime` seconds. Records every statement. */
function server(s: { ageSeconds: number; time: number | null; uptime: number }) {
  const sent: string[] = [];
  let alive = s.time !== null;
  const query = async (sql: string | { sql: string }, values: unknown[] = []) => {
    const text = typeof sql === 'string' ? sql : sql.sql;
    sent.push(text.trim().split(/\s+/).slice(0, 2).join(' '));
    if (text.includes('FROM `sch`.dbkeeper_runs')) return [[{ id: 7, job_connection_id: 42, age: s.ageSeconds }], []];
    if (text.startsWith('SHOW GLOBAL STATUS')) return [[{ Variable_name: 'Uptime', Value: String(s.uptime) }], []];
    if (text.startsWith('KILL CONNECTION')) alive = false;
    if (text.startsWith('KILL')) return [{}, []];
    if (text.includes('SELECT TIME')) return [alive && values[0] === 42 ? [{ time: s.time }] : [], []];
    if (text.includes('COUNT(*) AS n')) return [[{ n: alive ? 1 : 0 }], []];
    throw new Error(`unexpected ${text}`);
  };
  return { conn: { query: query as never }, sent };
}
const opts = { queryTimeoutMs: 1000, waitMs: 1000 };

describe('killOrphanSessions', () => {
  it('KILLs the session of a dead run still on the server, and waits for it to go', async () => {
    const { conn, sent } = server({ ageSeconds: 60, time: 55, uptime: 10_000 });
    expect(await killOrphanSessions(conn, 'sch', 'purge-locks', opts)).toEqual([
      { runId: 7, jobConnectionId: 42, gone: true },
    ]);
    expect(sent).toContain('KILL QUERY');
  });
  it('never KILLs an id the server reused after a restart (up for less than the row is old)', async () => {
    const { conn, sent } = server({ ageSeconds: 600, time: 5, uptime: 120 });
    expect(await killOrphanSessions(conn, 'sch', 'purge-locks', opts)).toEqual([]);
    expect(sent.some((q) => q.startsWith('KILL'))).toBe(false);
  });
  it('never KILLs a session whose command began before the run (TIME over the row age)', async () => {
    const { conn, sent } = server({ ageSeconds: 60, time: 3600, uptime: 10_000 });
    expect(await killOrphanSessions(conn, 'sch', 'purge-locks', opts)).toEqual([]);
    expect(sent.some((q) => q.startsWith('KILL'))).toBe(false);
  });
  it('does nothing for a session already gone', async () => {
    const { conn, sent } = server({ ageSeconds: 60, time: null, uptime: 10_000 });
    expect(await killOrphanSessions(conn, 'sch', 'purge-locks', opts)).toEqual([]);
    expect(sent.some((q) => q.startsWith('KILL'))).toBe(false);
  });
});
