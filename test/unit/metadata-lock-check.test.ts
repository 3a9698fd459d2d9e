import { describe, expect, it } from 'vitest';
import { detectDialect } from '../../src/db/dialect.js';
import {
  describeHolders,
  findLockHolders,
  lockCheckMethod,
  lockHoldersSql,
  waitForLockHolders,
} from '../../src/db/metadata-lock-check.js';

const MARIADB = detectDialect('10.11.19-MariaDB-0+deb12u1');
const MYSQL = detectDialect('8.0.36');
type Call = { sql: string; values: unknown[] | undefined };

/** A query function answering from a script, recording what it was asked. */
function scripted(answers: ((sql: string) => unknown[] | Error)[]) {
  const calls: Call[] = [];
  let i = 0;
  const query = async <T>(sql: string, values?: unknown[]): Promise<T> => {
    calls.push({ sql, values });
    const a = answers[Math.min(i++, answers.length - 1)]!(sql);
    if (a instanceof Error) throw a;
    return a as T;
  };
  return { query, calls };
}

describe('lockCheckMethod: which view the server offers (never installs one)', () => {
  it('MySQL with the MDL instrument: performance_schema; without it (or no access): coarse', async () => {
    expect(await lockCheckMethod(scripted([() => [{ ok: 1 }]]).query, MYSQL)).toBe('performance_schema');
    expect(await lockCheckMethod(scripted([() => []]).query, MYSQL)).toBe('coarse');
    expect(await lockCheckMethod(scripted([() => new Error('SELECT command denied')]).query, MYSQL)).toBe('coarse');
  });
  it('MariaDB: METADATA_LOCK_INFO when the plugin is active, else coarse', async () => {
    const on = scripted([() => [{ ok: 1 }]]);
    expect(await lockCheckMethod(on.query, MARIADB)).toBe('metadata_lock_info');
    expect(on.calls[0]!.sql).toMatch(/information_schema\.PLUGINS/);
    expect(await lockCheckMethod(scripted([() => []]).query, MARIADB)).toBe('coarse');
  });
});

describe('findLockHolders', () => {
  it('table views are asked for the table by placeholders; the coarse one for the age bound', async () => {
    for (const method of ['performance_schema', 'metadata_lock_info'] as const) {
      const s = scripted([() => []]);
      await findLockHolders(s.query, method, 'booking', 'appointments', { longTransactionSeconds: 5 });
      expect(s.calls[0]).toEqual({ sql: lockHoldersSql(method), values: ['booking', 'appointments'] });
      expect(s.calls[0]!.sql).not.toMatch(/appointments/);
    }
    const coarse = scripted([() => []]);
    await findLockHolders(coarse.query, 'coarse', 'booking', 'appointments', { longTransactionSeconds: 5 });
    expect(coarse.calls[0]).toMatchObject({ values: [5] });
    expect(coarse.calls[0]!.sql).toMatch(/INNODB_TRX[\s\S]*PROCESSLIST[\s\S]*INTERVAL \? SECOND/);
  });

  it('oldest first, with id, user, host and age', async () => {
    const s = scripted([
      () => [
        { id: 7, user: 'app', host: 'h1:1', age: 3 },
        { id: 9, user: 'report', host: 'h2:2', age: 120 },
      ],
    ]);
    const c = await findLockHolders(s.query, 'coarse', 'b', 't', { longTransactionSeconds: 1 });
    expect(c.holders).toEqual([
      { connectionId: 9, user: 'report', host: 'h2:2', ageSeconds: 120 },
      { connectionId: 7, user: 'app', host: 'h1:1', ageSeconds: 3 },
    ]);
    expect(describeHolders(c)).toMatch(
      /^connection 9 \(report@h2:2, transaction open 120 s\), connection 7 .* \(coarse check: no metadata-lock view/,
    );
  });
});

describe('waitForLockHolders: bounded wait, then a verdict', () => {
  const holder = () => [{ id: 5, user: 'app', host: 'h', age: 30 }];
  it('clear at once: no wait', async () => {
    const r = await waitForLockHolders(scripted([() => []]).query, 'coarse', 'b', 't', {
      longTransactionSeconds: 5,
      maxWaitSeconds: 1,
      pollMs: 10,
    });
    expect(r).toMatchObject({ clear: true, check: { holders: [] } });
  });
  it('a holder that leaves within the bound: clear after polling again', async () => {
    const s = scripted([holder, holder, () => []]);
    const r = await waitForLockHolders(s.query, 'coarse', 'b', 't', {
      longTransactionSeconds: 5,
      maxWaitSeconds: 5,
      pollMs: 10,
    });
    expect(r.clear).toBe(true);
    expect(s.calls).toHaveLength(3);
  });
  it('a holder that stays: not clear once the bound is spent, naming it', async () => {
    let t = 0;
    const s = scripted([holder]);
    const r = await waitForLockHolders(s.query, 'coarse', 'b', 't', {
      longTransactionSeconds: 5,
      maxWaitSeconds: 1,
      pollMs: 10,
      clock: () => (t += 300),
    });
    expect(r.clear).toBe(false);
    expect(r.check.holders[0]).toMatchObject({ connectionId: 5 });
    // No new look starts past the bound: at most one look (300 ms here) beyond it.
    expect(r.waitedMs).toBeLessThanOrEqual(1000 + 300);
    expect(s.calls.length).toBeGreaterThan(1);
  });
});
