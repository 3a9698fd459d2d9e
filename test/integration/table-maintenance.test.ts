import type { Connection, RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableMaintenanceJob } from '../../jobs/table-maintenance/job.js';
import type { App } from '../../src/app/bootstrap.js';
import type { TableOutcome } from '../../jobs/table-maintenance/report.js';
import { runJob, type RunRequest } from '../../src/runner/run-job.js';
import { adminConnection, createTestSchema, testApp, type TestSchema } from '../helpers/test-db.js';

const MiB = 1024 ** 2;
const DIGITS =
  '(SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9)';
const ROWS_100K = `SELECT d0.d + d1.d * 10 + d2.d * 100 + d3.d * 1000 + d4.d * 10000 AS n FROM ${DIGITS} d0, ${DIGITS} d1, ${DIGITS} d2, ${DIGITS} d3, ${DIGITS} d4`;

/** ~20 MiB of InnoDB rows, loaded in one statement like a fresh table. */
async function createFilledTable(s: TestSchema, name: string): Promise<void> {
  await s.admin.query(`CREATE TABLE \`${name}\` (
    id INT UNSIGNED NOT NULL PRIMARY KEY, company_id INT UNSIGNED NOT NULL, note VARCHAR(200) NOT NULL, KEY idx_company (company_id)) ENGINE=InnoDB`);
  await s.admin.query(
    `INSERT INTO \`${name}\` (id, company_id, note) SELECT n + 1, n % 1000, REPEAT('x', 100 + n % 50) FROM (${ROWS_100K}) seq`,
  );
}

describe('table-maintenance job on MariaDB', () => {
  let s: TestSchema;
  let app: App;
  const run = (job: Record<string, unknown>, req: Partial<RunRequest> = {}, guards: Record<string, number> = {}) =>
    runJob(
      {
        db: app.db,
        config: {
          ...app.config,
          guards: { ...app.config.guards, ...guards },
          // Other sessions share this server: the coarse pre-check (any long transaction) is tested on a throwaway one.
          jobs: {
            ...app.config.jobs,
            'table-maintenance': {
              ...(app.config.jobs as Record<string, object>)['table-maintenance'],
              longTransactionSeconds: 86_400,
              ...job,
            },
          },
        },
        log: app.log,
      },
      tableMaintenanceJob,
      { trigger: 'manual', dryRun: false, ...req },
    );
  const tablesOf = (o: Awaited<ReturnType<typeof run>>) => o.result!.details!.tables as TableOutcome[];
  const tableOf = (o: Awaited<ReturnType<typeof run>>, name: string) => tablesOf(o).find((t) => t.table === name)!;
  /** InnoDB gives a rebuilt table a new id: proof of a rebuild that does not rely on the job's own account. */
  const innodbId = async (table: string) => {
    const [rows] = await s.admin.query<RowDataPacket[]>(
      'SELECT TABLE_ID AS id FROM information_schema.INNODB_SYS_TABLES WHERE NAME = ?',
      [`${s.name}/${table}`],
    );
    return Number(rows[0]!.id);
  };
  const allocated = async (table: string) => {
    const [rows] = await s.admin.query<RowDataPacket[]>(
      'SELECT DATA_LENGTH + INDEX_LENGTH + DATA_FREE AS bytes FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?',
      [s.name, table],
    );
    return Number(rows[0]!.bytes);
  };
  const statsUpdated = async (table: string) => {
    const [rows] = await s.admin.query<RowDataPacket[]>(
      'SELECT last_update FROM mysql.innodb_table_stats WHERE database_name = ? AND table_name = ?',
      [s.name, table],
    );
    return rows[0]!.last_update as Date;
  };
  const baselineOf = async (table: string) => {
    const [rows] = await s.admin.query<RowDataPacket[]>(
      'SELECT source, bytes_per_row FROM dbkeeper_table_baselines WHERE schema_name = ? AND table_name = ?',
      [s.name, table],
    );
    return rows[0] ?? null;
  };

  const MAIN = {
    analyzeTables: ['bloated', 'fresh', 'with_fulltext', 'ghost'],
    optimizeTables: ['bloated', 'fresh', 'with_fulltext'],
    // The tables here are ~20 MiB; a fresh InnoDB table keeps ~4 MiB of preallocated extents in DATA_FREE.
    minReclaimBytes: 5 * MiB,
  };

  beforeAll(async () => {
    s = await createTestSchema();
    app = await testApp(s.name);
    await createFilledTable(s, 'bloated');
    await createFilledTable(s, 'fresh');
    await createFilledTable(s, 'contended');
    await s.admin.query(
      `CREATE TABLE with_fulltext (id INT UNSIGNED NOT NULL PRIMARY KEY, body TEXT NOT NULL, FULLTEXT KEY ft_body (body)) ENGINE=InnoDB`,
    );
    await s.admin.query(
      `INSERT INTO with_fulltext (id, body) SELECT n + 1, CONCAT('caller asked to book slot ', n) FROM (${ROWS_100K}) seq WHERE n < 2000`,
    );
  });
  afterAll(async () => {
    await app?.db.close();
    await s?.drop();
  });

  it('first run: analyzes every listed table (last_update moves), records baselines, skips FULLTEXT, reports the missing table, rebuilds nothing fresh', async () => {
    await s.admin.query(
      "UPDATE mysql.innodb_table_stats SET last_update = '2001-01-01 00:00:00' WHERE database_name = ?",
      [s.name],
    );
    const ids = { bloated: await innodbId('bloated'), fresh: await innodbId('fresh') };
    const outcome = await run({ ...MAIN, optimizeTables: [...MAIN.optimizeTables, 'contended'] });

    expect(outcome.status).toBe('warning');
    expect(outcome.result!.warnings).toEqual([`ghost: table ${s.name}.ghost does not exist`]);
    for (const t of ['bloated', 'fresh', 'with_fulltext', 'contended']) {
      expect(tableOf(outcome, t).analyze?.outcome).toBe('ok');
      expect((await statsUpdated(t)).getUTCFullYear()).toBeGreaterThan(2001);
    }
    expect(tableOf(outcome, 'ghost')).toMatchObject({ error: `table ${s.name}.ghost does not exist`, analyze: null });
    expect(outcome.result!.skipped).toEqual([
      {
        target: 'with_fulltext',
        reason:
          'has FULLTEXT ft_body: a rebuild blocks writes for its whole duration; allowed only with --maintenance-window',
      },
    ]);
    expect(tableOf(outcome, 'fresh').optimize?.action).toBe('keep');
    expect(await innodbId('bloated')).toBe(ids.bloated);
    expect(await innodbId('fresh')).toBe(ids.fresh);
    expect(await baselineOf('bloated')).toMatchObject({ source: 'first-seen' });
    expect(await baselineOf('with_fulltext')).toMatchObject({ source: 'first-seen' });
  });

  it('dry run after 60 % of the rows are deleted: says it would rebuild and why, executes nothing', async () => {
    await s.admin.query('DELETE FROM bloated WHERE id % 5 IN (1, 2, 3)');
    await s.admin.query('ANALYZE TABLE bloated');
    const id = await innodbId('bloated');
    const outcome = await run(MAIN, { dryRun: true });

    expect(outcome.result!.summary).toMatch(
      /^dry run: would analyze 3 table\(s\), rebuild bloated, skip 1; 1 error\(s\)$/,
    );
    const bloated = tableOf(outcome, 'bloated');
    expect(bloated.optimize).toMatchObject({
      action: 'rebuild',
      reason: expect.stringMatching(
        /^bloat \d+\.\d % \(\d+\.\d MiB allocated, a rebuild would leave about \d+\.\d MiB by the size model\)/,
      ),
    });
    expect(bloated.prediction).toMatchObject({ sampledRows: expect.any(Number) });
    expect(bloated.prediction!.sampledRows).toBeGreaterThan(1000);
    expect(bloated.estimate!.percent).toBeGreaterThan(40);
    expect(outcome.result!.details!.plannedStatements).toContain(
      `SET STATEMENT max_statement_time = 7200 FOR ALTER TABLE \`${s.name}\`.\`bloated\` WAIT 2 FORCE, ALGORITHM=INPLACE, LOCK=NONE`,
    );
    expect(await innodbId('bloated')).toBe(id);
  });

  it('the 60 %-deleted table is rebuilt and shrinks; the fresh one is analyzed, not rebuilt; the baseline becomes the rebuild', async () => {
    const ids = { bloated: await innodbId('bloated'), fresh: await innodbId('fresh') };
    const sizeBefore = await allocated('bloated');
    const outcome = await run(MAIN);

    const bloated = tableOf(outcome, 'bloated');
    expect(bloated.optimize).toMatchObject({ action: 'rebuild', outcome: 'ok' });
    expect(await innodbId('bloated')).not.toBe(ids.bloated);
    const sizeAfter = await allocated('bloated');
    expect(sizeAfter).toBeLessThan(sizeBefore * 0.7);
    // The job measures "before" after its own ANALYZE and "after" after the rebuild.
    const total = (x: { dataLength: number; indexLength: number; dataFree: number }) =>
      x.dataLength + x.indexLength + x.dataFree;
    expect(total(bloated.after!)).toBe(sizeAfter);
    expect(bloated.spaceWonBytes).toBe(total(bloated.before!) - sizeAfter);
    expect(bloated.spaceWonBytes).toBeGreaterThan(sizeBefore * 0.3);
    expect(outcome.result!.summary).toMatch(/rebuilt bloated \(won \d+\.\d MiB\)/);
    // Before/after from the real tablespace file too (INNODB_SYS_TABLESPACES), not only information_schema.TABLES.
    const [[file]] = await s.admin.query<RowDataPacket[]>(
      'SELECT ALLOCATED_SIZE AS a, FILE_SIZE AS f FROM information_schema.INNODB_SYS_TABLESPACES WHERE NAME = ?',
      [`${s.name}/bloated`],
    );
    expect(bloated.after!.tablespace).toEqual({ fileBytes: Number(file!.f), allocatedBytes: Number(file!.a) });
    expect(bloated.before!.tablespace!.fileBytes).toBeGreaterThan(bloated.after!.tablespace!.fileBytes);
    const fileBars = outcome.result!.sections!.find(
      (x) => x.kind === 'bars' && x.title.startsWith('Tablespace file on disk'),
    );
    expect(fileBars).toMatchObject({
      bars: [
        expect.objectContaining({ label: 'bloated before' }),
        expect.objectContaining({ label: 'bloated after', note: expect.stringMatching(/won \d+\.\d MiB on disk/) }),
      ],
    });
    expect(await baselineOf('bloated')).toMatchObject({ source: 'rebuild' });

    expect(tableOf(outcome, 'fresh')).toMatchObject({
      analyze: { outcome: 'ok' },
      optimize: { action: 'keep' },
      after: null,
    });
    expect(await innodbId('fresh')).toBe(ids.fresh);

    const bars = outcome.result!.sections!.find((x) => x.kind === 'bars');
    expect(bars).toMatchObject({
      bars: expect.arrayContaining([
        expect.objectContaining({ label: 'bloated before' }),
        expect.objectContaining({ label: 'bloated after' }),
      ]),
    });
  });

  it.each([
    ['LOCK TABLES … READ', async (c: Connection) => void (await c.query('LOCK TABLES contended READ'))],
    [
      'an open transaction that read the table',
      async (c: Connection) =>
        void (await c.query('START TRANSACTION'), await c.query('SELECT COUNT(*) FROM contended')),
    ],
  ])(
    'a table held by another session (%s) is skipped: contended within lock_wait_timeout, not a hang',
    async (_name, hold) => {
      await s.admin.query('DELETE FROM contended WHERE id % 5 IN (1, 2, 3)');
      const other = await adminConnection(s.name);
      try {
        await hold(other);
        const id = await innodbId('contended');
        const outcome = await run({
          analyzeTables: [],
          optimizeTables: ['contended'],
          minReclaimBytes: 5 * MiB,
          ddlLockWaitSeconds: 1,
        });

        expect(tableOf(outcome, 'contended').optimize).toMatchObject({
          action: 'rebuild',
          outcome: 'contended',
          contention: { when: 'wait' },
        });
        expect(outcome.result!.skipped).toEqual([
          {
            target: 'contended',
            kind: 'contended',
            reason: expect.stringMatching(/^contended: the rebuild's metadata lock was not granted within 1 s; /),
            ...(outcome.result!.skipped![0]!.culprits ? { culprits: expect.any(Array) } : {}),
          },
        ]);
        // ddlLockWaitSeconds (1 s), not the server's default wait (a day).
        expect(outcome.durationMs).toBeLessThan(10_000);
        expect(await innodbId('contended')).toBe(id);
      } finally {
        await other.query('ROLLBACK');
        await other.query('UNLOCK TABLES');
        await other.end();
      }
    },
  );

  it('analyzes and rebuilds tables with legal but unusual names (2fa_codes, a space, a backtick, a dot), histograms on such a column too', async () => {
    const names = ['2fa_codes', 'log book', 'a`b', 'v2.sessions'];
    for (const n of names) {
      await s.admin.query(
        `CREATE TABLE \`${n.replaceAll('`', '``')}\` (id INT PRIMARY KEY, \`sent at\` INT NOT NULL) ENGINE=InnoDB`,
      );
      await s.admin.query(`INSERT INTO \`${n.replaceAll('`', '``')}\` VALUES (1, 1), (2, 2)`);
    }
    const outcome = await run({
      analyzeTables: names,
      optimizeTables: names,
      persistentForAll: ['2fa_codes'],
      histogramColumns: { 'log book': ['sent at'] },
      minReclaimBytes: 0,
      bloatThresholdPercent: 1,
    });
    expect(outcome.error).toBeUndefined();
    expect(outcome.status).not.toBe('failed');
    for (const n of names) {
      const t = tableOf(outcome, n);
      expect(t.error ?? null).toBeNull();
      expect(t.analyze?.outcome).toBe('ok');
    }
  });

  it('issue 17: a table bloated before dbkeeper first saw it is rebuilt on the first run (the size model, not first sight)', async () => {
    await createFilledTable(s, 'bloated_before');
    await s.admin.query('DELETE FROM bloated_before WHERE id % 5 IN (1, 2, 3)');
    const id = await innodbId('bloated_before');
    expect(await baselineOf('bloated_before')).toBeNull();
    const outcome = await run({ analyzeTables: [], optimizeTables: ['bloated_before'], minReclaimBytes: 5 * MiB });

    const t = tableOf(outcome, 'bloated_before');
    expect(t.estimate).toMatchObject({ basis: 'model' });
    expect(t.optimize).toMatchObject({ action: 'rebuild', outcome: 'ok' });
    expect(await innodbId('bloated_before')).not.toBe(id);
    // The prediction is close to what the rebuild left (small table: preallocated extents dominate, hence 35 %).
    const actual = t.after!.dataLength + t.after!.indexLength;
    expect(Math.abs(t.estimate!.predictedBytes! - actual) / actual).toBeLessThan(0.35);
    const b = await baselineOf('bloated_before');
    expect(b).toMatchObject({ source: 'rebuild' });
    const [[factor]] = await s.admin.query<RowDataPacket[]>(
      'SELECT model_factor FROM dbkeeper_table_baselines WHERE table_name = ?',
      ['bloated_before'],
    );
    expect(Number(factor!.model_factor)).toBeCloseTo(actual / t.estimate!.predictedBytes!, 6);
  });

  it('when every table fails the run fails, naming them', async () => {
    const outcome = await run({ analyzeTables: ['ghost', 'phantom'], optimizeTables: [] });
    expect(outcome.status).toBe('failed');
    expect(outcome.error?.message).toBe(
      `every table failed: ghost: table ${s.name}.ghost does not exist; phantom: table ${s.name}.phantom does not exist`,
    );
  });
});
