import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { partitionsJob } from '../../jobs/partitions/job.js';
import type { App } from '../../src/app/bootstrap.js';
import { createDemoSchema } from '../../src/demo/demo-schema.js';
import { makeJobDb } from '../../src/db/job-db.js';
import { applyPartitionPlan } from '../../jobs/partitions/apply.js';
import { collectPartitionFacts } from '../../jobs/partitions/collect.js';
import { planPartitions } from '../../jobs/partitions/plan.js';
import { runJob, type RunRequest } from '../../src/runner/run-job.js';
import { adminConnection, createTestSchema, testApp, type TestSchema } from '../helpers/test-db.js';

// A fixed "now" on both clocks (host and server): the 1st of the month at 04:30 UTC, as the schedule fires.
const NOW = new Date('2026-11-01T04:30:00Z');

function monthStart(offset: number, base = NOW): number {
  return Date.UTC(base.getUTCFullYear(), base.getUTCMonth() + offset, 1) / 1000;
}
function pname(sec: number): string {
  const d = new Date(sec * 1000);
  return `p${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

const COLUMNS = `id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT, company_id INT UNSIGNED NOT NULL, created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP`;

// created_at may be NULL: no primary key (it would make the column NOT NULL); the unique key includes it.
const NULLABLE_COLUMNS = `id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT, company_id INT UNSIGNED NOT NULL, created_at TIMESTAMP NULL DEFAULT NULL, KEY (id), UNIQUE KEY uq_id_created (id, created_at)`;

/** `past` months before NOW's month + the current one + pmax; `rowsPerMonth` rows in each. */
async function createLogTable(
  s: TestSchema,
  table: string,
  past: number,
  rowsPerMonth: number,
  opts: { tail?: string; nullable?: boolean } = {},
): Promise<void> {
  const parts: string[] = [];
  for (let m = -past; m <= 0; m += 1)
    parts.push(`PARTITION ${pname(monthStart(m))} VALUES LESS THAN (${monthStart(m + 1)})`);
  parts.push(`PARTITION \`${(opts.tail ?? 'pmax').replaceAll('`', '``')}\` VALUES LESS THAN MAXVALUE`);
  const columns = opts.nullable ? NULLABLE_COLUMNS : `${COLUMNS}, PRIMARY KEY (id, created_at)`;
  await s.admin.query(`CREATE TABLE \`${table}\` (${columns}) ENGINE=InnoDB
    PARTITION BY RANGE (UNIX_TIMESTAMP(created_at)) (${parts.join(', ')})`);
  for (let m = -past; m <= 0; m += 1) {
    const values: unknown[] = [];
    for (let i = 0; i < rowsPerMonth + m + past; i += 1)
      values.push([1 + (i % 5), new Date((monthStart(m) + 3600 * (1 + i)) * 1000)]);
    await s.admin.query(`INSERT INTO \`${table}\` (company_id, created_at) VALUES ?`, [values]);
  }
}

/** A test fixture's identifier in backticks, a backtick inside doubled. */
const q = (name: string) => `\`${name.replaceAll('`', '``')}\``;

async function layout(s: TestSchema, table: string): Promise<{ name: string; description: string; rows: number }[]> {
  const [parts] = await s.admin.query<RowDataPacket[]>(
    `SELECT PARTITION_NAME AS name, PARTITION_DESCRIPTION AS description FROM information_schema.PARTITIONS
     WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY PARTITION_ORDINAL_POSITION`,
    [s.name, table],
  );
  const out = [];
  for (const p of parts) {
    const [[c]] = (await s.admin.query(
      `SELECT COUNT(*) AS n FROM ${q(table)} PARTITION (${q(String(p.name))})`,
    )) as unknown as [RowDataPacket[]];
    out.push({ name: String(p.name), description: String(p.description), rows: Number(c!.n) });
  }
  return out;
}

describe('partitions job on MariaDB', () => {
  let s: TestSchema;
  let app: App;
  let slot = 0;
  const run = (req: Partial<RunRequest> & { config?: Record<string, unknown> }, tables = ['api_call_logs']) =>
    runJob(
      {
        db: app.db,
        config: {
          ...app.config,
          jobs: {
            ...app.config.jobs,
            partitions: {
              ...(app.config.jobs as Record<string, object>).partitions,
              tables,
              longTransactionSeconds: 86_400,
              ...(req.config ?? {}),
            },
          },
        },
        log: app.log,
        clock: () => NOW,
        serverClock: () => NOW,
      },
      partitionsJob,
      // Each run its own slot (runs are unique per job and scheduled time).
      { trigger: 'manual', dryRun: false, scheduledFor: new Date(NOW.getTime() + 1000 * ++slot), ...req },
    );

  beforeAll(async () => {
    s = await createTestSchema();
    app = await testApp(s.name);
  });
  afterAll(async () => {
    await app?.db.close();
    await s?.drop();
  });

  it('creates the coming months, drops the two oldest past retention, keeps the rest untouched; a second run is a no-op', async () => {
    await createLogTable(s, 'api_call_logs', 8, 40);
    const before = await layout(s, 'api_call_logs');
    const first = await run({});
    expect(first.status).toBe('ok');
    const after = await layout(s, 'api_call_logs');
    // retention 6: the months ending on or before 2026-05-01 go (Mar, Apr); cap 2.
    const expectedNames = [
      'p202605',
      'p202606',
      'p202607',
      'p202608',
      'p202609',
      'p202610',
      'p202611',
      'p202612',
      'p202701',
      'p202702',
      'pmax',
    ];
    expect(after.map((p) => p.name)).toEqual(expectedNames);
    expect(after.find((p) => p.name === 'p202702')!.description).toBe(String(monthStart(4)));
    for (const kept of before.filter((p) => expectedNames.includes(p.name) && p.name !== 'pmax')) {
      expect(after.find((p) => p.name === kept.name)!.rows).toBe(kept.rows);
    }
    const details = first.result!.details as {
      tables: {
        retired: { partition: string; rows: number }[];
        created: { partition: string }[];
        monthsAhead: number;
      }[];
    };
    expect(details.tables[0]!.retired).toEqual([
      expect.objectContaining({ partition: 'p202603', rows: before.find((p) => p.name === 'p202603')!.rows }),
      expect.objectContaining({ partition: 'p202604', rows: before.find((p) => p.name === 'p202604')!.rows }),
    ]);
    expect(details.tables[0]!.created.map((c) => c.partition)).toEqual(['p202612', 'p202701', 'p202702']);
    expect(details.tables[0]!.monthsAhead).toBe(3);

    const second = await run({});
    expect(second.status).toBe('ok');
    expect(second.result!.summary).toContain('nothing to do');
    expect(await layout(s, 'api_call_logs')).toEqual(after);
  });

  it('inserts into the current month during the run all succeed', async () => {
    await createLogTable(s, 'busy_logs', 8, 30);
    const before = await layout(s, 'busy_logs');
    const writer = await adminConnection(s.name);
    let stop = false;
    let inserted = 0;
    const errors: string[] = [];
    const loop = (async () => {
      while (!stop) {
        try {
          await writer.query('INSERT INTO busy_logs (company_id, created_at) VALUES (?, ?)', [
            1,
            new Date(NOW.getTime() + 60_000 + inserted * 1000),
          ]);
          inserted += 1;
        } catch (err) {
          errors.push((err as Error).message);
        }
      }
    })();
    while (inserted < 20) await new Promise((r) => setTimeout(r, 5));
    const outcome = await run({}, ['busy_logs']);
    const insertedDuringRun = inserted;
    stop = true;
    await loop;
    await writer.end();
    expect(outcome.status).toBe('ok');
    expect(errors).toEqual([]);
    const after = await layout(s, 'busy_logs');
    expect(after.map((p) => p.name)).toContain('p202702');
    const current = (l: typeof before) => l.find((p) => p.name === 'p202611')!.rows;
    expect(current(after)).toBe(current(before) + inserted);
    expect(insertedDuringRun).toBeGreaterThan(20);
  });

  it("--at 2027-03-01T04:30:00Z --dry-run shows that day's plan and changes nothing", async () => {
    await createLogTable(s, 'future_logs', 8, 5);
    const before = await layout(s, 'future_logs');
    const outcome = await run({ dryRun: true, at: new Date('2027-03-01T04:30:00Z') }, ['future_logs']);
    expect(outcome.result!.summary).toBe(
      '[dry run] future_logs: would create p202612, p202701, p202702, p202703, p202704, p202705, p202706; would retire p202603 (drop), p202604 (drop): ' +
        `${before[0]!.rows + before[1]!.rows} rows; 3 months ahead`,
    );
    const sql = outcome.result!.sections!.find((x) => x.kind === 'sql') as { statements: string[] };
    expect(sql.statements[0]).toMatch(
      /REORGANIZE PARTITION `pmax` INTO \(PARTITION `p202612` VALUES LESS THAN \(1798761600\)/,
    );
    expect(await layout(s, 'future_logs')).toEqual(before);
  });

  it('splits a few rows found in pmax into their months; refuses many and changes nothing', async () => {
    await createLogTable(s, 'late_logs', 2, 5);
    // The worker missed December: rows of December sit in pmax.
    await s.admin.query('INSERT INTO late_logs (company_id, created_at) VALUES (1, ?), (1, ?), (1, ?)', [
      new Date('2026-12-03T00:00:00Z'),
      new Date('2026-12-20T00:00:00Z'),
      new Date('2027-01-02T00:00:00Z'),
    ]);
    const few = await run({ config: { pmaxRowThreshold: 3 } }, ['late_logs']);
    expect(few.status).toBe('warning'); // rows were in pmax: the report says so
    const after = await layout(s, 'late_logs');
    expect(after.filter((p) => ['p202612', 'p202701', 'pmax'].includes(p.name)).map((p) => [p.name, p.rows])).toEqual([
      ['p202612', 2],
      ['p202701', 1],
      ['pmax', 0],
    ]);

    await createLogTable(s, 'flooded_logs', 2, 5);
    await s.admin.query('INSERT INTO flooded_logs (company_id, created_at) VALUES (1, ?), (1, ?)', [
      new Date('2026-12-03T00:00:00Z'),
      new Date('2026-12-04T00:00:00Z'),
    ]);
    const beforeFlood = await layout(s, 'flooded_logs');
    const many = await run({ config: { pmaxRowThreshold: 1 } }, ['flooded_logs']);
    expect(many.status).toBe('warning');
    expect(many.result!.skipped!.map((x) => x.reason).join('\n')).toMatch(
      /pmax holds more than 1 rows \(threshold 1\)/,
    );
    expect(await layout(s, 'flooded_logs')).toEqual(beforeFlood);
  });

  it('refuses each unsupported shape, with the reason, and changes nothing; the other tables still run', async () => {
    await s.admin.query(`CREATE TABLE plain_logs (${COLUMNS}, PRIMARY KEY (id)) ENGINE=InnoDB`);
    await s.admin.query(
      `CREATE TABLE by_id_logs (${COLUMNS}, PRIMARY KEY (id)) ENGINE=InnoDB PARTITION BY RANGE (id) (PARTITION p0 VALUES LESS THAN (1000), PARTITION pmax VALUES LESS THAN MAXVALUE)`,
    );
    await s.admin.query(
      `CREATE TABLE capped_logs (${COLUMNS}, PRIMARY KEY (id, created_at)) ENGINE=InnoDB PARTITION BY RANGE (UNIX_TIMESTAMP(created_at)) (PARTITION p202610 VALUES LESS THAN (${monthStart(0)}), PARTITION p202611 VALUES LESS THAN (${monthStart(1)}))`,
    );
    // Month starts at Berlin midnight (23:00 UTC the day before): not UTC month starts.
    await s.admin.query(
      `CREATE TABLE local_logs (${COLUMNS}, PRIMARY KEY (id, created_at)) ENGINE=InnoDB PARTITION BY RANGE (UNIX_TIMESTAMP(created_at)) (PARTITION p202610 VALUES LESS THAN (${monthStart(0) - 3600}), PARTITION pmax VALUES LESS THAN MAXVALUE)`,
    );
    await s.admin.query(
      `CREATE TABLE days_logs (id BIGINT NOT NULL, created_at DATETIME NOT NULL, PRIMARY KEY (id, created_at)) ENGINE=InnoDB PARTITION BY RANGE (TO_DAYS(created_at)) (PARTITION p0 VALUES LESS THAN (740000), PARTITION pmax VALUES LESS THAN MAXVALUE)`,
    );
    await createLogTable(s, 'good_logs', 1, 3);
    const shapes = ['plain_logs', 'by_id_logs', 'capped_logs', 'local_logs', 'days_logs'];
    const ddl = async () =>
      Promise.all(
        shapes.map(
          async (t) =>
            ((await s.admin.query(`SHOW CREATE TABLE \`${t}\``)) as unknown as [RowDataPacket[]])[0][0]![
              'Create Table'
            ] as string,
        ),
      );
    const before = await ddl();
    const outcome = await run({}, [...shapes, 'missing_logs', 'good_logs']);
    expect(outcome.status).toBe('warning');
    const reasons = Object.fromEntries(
      outcome.result!.skipped!.filter((x) => !x.target.includes(' ')).map((x) => [x.target, x.reason]),
    );
    expect(reasons).toEqual({
      plain_logs: expect.stringMatching(/^refused: not partitioned; `npm run job -- partitions --print-migration`/),
      by_id_logs: 'refused: partition expression is "`id`", not UNIX_TIMESTAMP(created_at)',
      capped_logs:
        'refused: last partition p202611 is not VALUES LESS THAN MAXVALUE (new months are split from a MAXVALUE tail)',
      local_logs: 'refused: partition p202610 ends at 2026-10-31T23:00:00.000Z, not an exact UTC month start',
      days_logs: 'refused: partition expression is "to_days(`created_at`)", not UNIX_TIMESTAMP(created_at)',
      missing_logs: 'refused: table not found in the database',
    });
    expect(await ddl()).toEqual(before);
    expect((await layout(s, 'good_logs')).map((p) => p.name)).toEqual([
      'p202610',
      'p202611',
      'p202612',
      'p202701',
      'p202702',
      'pmax',
    ]);
  });

  it('--print-migration prints the ALTER for an unpartitioned table and never runs it; a foreign key gets a reason instead', async () => {
    await s.admin.query(`CREATE TABLE flat_logs (${COLUMNS}, PRIMARY KEY (id, created_at)) ENGINE=InnoDB`);
    await s.admin.query('INSERT INTO flat_logs (company_id, created_at) VALUES (1, ?)', [
      new Date('2026-09-12T00:00:00Z'),
    ]);
    await s.admin.query('CREATE TABLE companies (id INT UNSIGNED NOT NULL PRIMARY KEY) ENGINE=InnoDB');
    await s.admin.query(
      `CREATE TABLE linked_logs (${COLUMNS}, PRIMARY KEY (id, created_at), CONSTRAINT fk_linked_company FOREIGN KEY (company_id) REFERENCES companies (id)) ENGINE=InnoDB`,
    );
    await s.admin.query(`CREATE TABLE parent_logs (${COLUMNS}, PRIMARY KEY (id, created_at)) ENGINE=InnoDB`);
    await s.admin.query(
      'CREATE TABLE child_rows (id INT PRIMARY KEY, log_id BIGINT UNSIGNED NOT NULL, log_at TIMESTAMP NOT NULL, CONSTRAINT fk_child_log FOREIGN KEY (log_id, log_at) REFERENCES parent_logs (id, created_at)) ENGINE=InnoDB',
    );
    const outcome = await run({ options: { 'print-migration': true } }, ['flat_logs', 'linked_logs', 'parent_logs']);
    expect(outcome.status).toBe('ok');
    expect(outcome.result!.summary).toContain(
      `ALTER TABLE \`${s.name}\`.\`flat_logs\` PARTITION BY RANGE (UNIX_TIMESTAMP(\`created_at\`)) (PARTITION \`p202609\` VALUES LESS THAN (1790812800), PARTITION \`p202610\``,
    );
    expect(outcome.result!.summary).toMatch(
      /linked_logs: no migration: foreign keys fk_linked_company \(linked_logs → companies\)/,
    );
    expect(outcome.result!.summary).toMatch(
      /parent_logs: no migration: foreign keys fk_child_log \(child_rows → parent_logs\)/,
    );
    const [parts] = await s.admin.query<RowDataPacket[]>(
      "SELECT COUNT(*) AS n FROM information_schema.PARTITIONS WHERE TABLE_SCHEMA = ? AND TABLE_NAME IN ('flat_logs', 'linked_logs', 'parent_logs') AND PARTITION_NAME IS NOT NULL",
      [s.name],
    );
    expect(Number(parts[0]!.n)).toBe(0);
  });

  it('a metadata lock held by the application makes the ALTER a clean skipped: contended, not a failed run', async () => {
    await createLogTable(s, 'held_logs', 1, 3);
    const before = await layout(s, 'held_logs');
    const app2 = await adminConnection(s.name);
    await app2.query('START TRANSACTION');
    await app2.query('SELECT COUNT(*) FROM held_logs'); // holds a shared metadata lock until COMMIT
    const [[{ id: holderId }]] = (await app2.query('SELECT CONNECTION_ID() AS id')) as unknown as [[{ id: number }]];
    try {
      const outcome = await run({ config: { lockWaitTimeoutSeconds: 1 } }, ['held_logs']);
      expect(outcome.status).toBe('warning');
      // The coarse pre-check let the ALTER go (the transaction is younger than longTransactionSeconds); its own lock
      // wait ran out, and the holder was looked up then and named.
      expect(outcome.result!.skipped).toEqual([
        {
          target: 'held_logs create p202612,p202701,p202702',
          reason: expect.stringMatching(
            new RegExp(`^contended: lock_wait_timeout \\(1 s\\).*connection ${holderId} \\(`),
          ),
          kind: 'contended',
          culprits: expect.arrayContaining([expect.objectContaining({ connectionId: Number(holderId), user: 'root' })]),
        },
      ]);
    } finally {
      await app2.query('COMMIT');
      await app2.end();
    }
    expect(await layout(s, 'held_logs')).toEqual(before);
  });

  it("after one contended statement the table's other statements wait for the next run: one lock wait, not three", async () => {
    await createLogTable(s, 'held_more', 9, 2);
    const before = await layout(s, 'held_more');
    const app2 = await adminConnection(s.name);
    await app2.query('START TRANSACTION');
    await app2.query('SELECT COUNT(*) FROM held_more');
    try {
      const outcome = await run({ config: { lockWaitTimeoutSeconds: 1 } }, ['held_more']);
      const kinds = (outcome.result!.skipped ?? []).map((x) => [x.target, x.reason.split(':')[0]]);
      expect(kinds).toEqual([
        ['held_more create p202612,p202701,p202702', 'contended'],
        ['held_more drop p202602', 'stopped'],
        ['held_more drop p202603', 'stopped'],
        [
          'held_more.p202604 (2026-04-01 .. 2026-05-01)',
          'past retention, but the cap of 2 per run is reached; a later run retires it',
        ],
      ]);
      expect(outcome.result!.skipped![1]!.reason).toMatch(
        /not run: an earlier statement on held_more was contended in this run; retried next run/,
      );
      // MariaDB waits twice lock_wait_timeout on a partition ALTER: ~2 s for the one that ran, not ~6 s for three.
      expect(outcome.durationMs).toBeLessThan(5000);
    } finally {
      await app2.query('COMMIT');
      await app2.end();
    }
    expect(await layout(s, 'held_more')).toEqual(before);
  });

  it("a run's months go in one DROP PARTITION a, b; per-table policy (own retention) beside the section's", async () => {
    await createLogTable(s, 'two_due', 8, 2);
    await createLogTable(s, 'short_kept', 8, 2);
    const outcome = await run(
      { config: { tables: ['two_due', { name: 'short_kept', retentionMonths: 7, premakeMonths: 1 }] }, dryRun: false },
      [],
    );
    expect(outcome.status).toBe('ok');
    const statements =
      (outcome.result!.sections!.find((x) => x.kind === 'sql') as { statements: string[] } | undefined)?.statements ??
      [];
    expect(statements.filter((x) => /DROP PARTITION/.test(x))).toEqual([
      `ALTER TABLE \`${s.name}\`.\`two_due\` DROP PARTITION \`p202603\`, \`p202604\``,
      `ALTER TABLE \`${s.name}\`.\`short_kept\` DROP PARTITION \`p202603\``,
    ]);
    const names = async (t: string) => (await layout(s, t)).map((p) => p.name);
    expect(await names('two_due')).not.toContain('p202604');
    expect(await names('short_kept')).toContain('p202604');
    // short_kept's own premake (1): no months made past 2026-12.
    expect(await names('short_kept')).not.toContain('p202701');
  });

  it('archive: the month past retention becomes its own table with all its rows', async () => {
    await createLogTable(s, 'kept_logs', 7, 10);
    const before = await layout(s, 'kept_logs');
    const outcome = await run({ config: { pastRetention: 'archive' } }, ['kept_logs']);
    expect(outcome.status).toBe('ok');
    const after = await layout(s, 'kept_logs');
    expect(after.map((p) => p.name)).not.toContain('p202604');
    const [[archived]] = (await s.admin.query('SELECT COUNT(*) AS n FROM kept_logs_p202604')) as unknown as [
      RowDataPacket[],
    ];
    expect(Number(archived!.n)).toBe(before.find((p) => p.name === 'p202604')!.rows);
  });

  it('the demo schema: future months made, the two months past retention dropped', async () => {
    const demo = `${s.name}_demo`;
    await createDemoSchema(s.admin, NOW, demo);
    await s.admin.query(`USE \`${s.name}\``);
    const demoApp = await testApp(demo);
    try {
      const outcome = await runJob(
        { db: demoApp.db, config: demoApp.config, log: demoApp.log, clock: () => NOW, serverClock: () => NOW },
        partitionsJob,
        { trigger: 'manual', dryRun: false },
      );
      expect(outcome.status).toBe('ok');
      expect(outcome.result!.summary).toMatch(
        /^api_call_logs: created p202612, p202701, p202702; retired p202603 \(drop\), p202604 \(drop\): [\d,]+ rows; 3 months ahead$/,
      );
    } finally {
      await demoApp.db.close();
      await s.admin.query(`DROP SCHEMA IF EXISTS \`${demo}\``);
    }
  });

  /** A row dated NULL (written now) and one dated 0000-00-00 (legal under MariaDB's default sql_mode): both land in the
   * first partition. */
  async function addUndatedRows(table: string, zero = true): Promise<void> {
    await s.admin.query(`INSERT INTO \`${table}\` (company_id, created_at) VALUES (7, NULL)`);
    if (!zero) return;
    const [[mode]] = (await s.admin.query('SELECT @@SESSION.sql_mode AS m')) as unknown as [RowDataPacket[]];
    await s.admin.query("SET SESSION sql_mode = ''");
    try {
      await s.admin.query(`INSERT INTO \`${table}\` (company_id, created_at) VALUES (8, '0000-00-00 00:00:00')`);
    } finally {
      await s.admin.query('SET SESSION sql_mode = ?', [String(mode!.m)]);
    }
  }
  const undated = async (table: string) => {
    const [[r]] = (await s.admin.query(
      `SELECT COUNT(*) AS n FROM \`${table}\` WHERE created_at IS NULL OR UNIX_TIMESTAMP(created_at) = 0`,
    )) as unknown as [RowDataPacket[]];
    return Number(r!.n);
  };

  it.each(['drop', 'archive'] as const)(
    '%s: NULL- and zero-dated rows in the first partition keep the oldest month; new months are still made; a control table is retired',
    async (pastRetention) => {
      const held = `undated_${pastRetention}_logs`;
      const control = `control_${pastRetention}_logs`;
      await createLogTable(s, held, 8, 5, { nullable: true });
      await createLogTable(s, control, 8, 5, { nullable: true });
      await addUndatedRows(held);
      const before = await layout(s, held);
      expect(before[0]!.name).toBe('p202603');
      expect(await undated(held)).toBe(2);

      const outcome = await run({ config: { pastRetention } }, [held, control]);
      expect(outcome.status).toBe('warning');
      expect(outcome.result!.skipped).toContainEqual({
        target: `${held}.p202603 (everything before 2026-04-01)`,
        reason: expect.stringMatching(/^p202603 holds 2 rows with a NULL or zero created_at \(1 NULL, 1 zero-dated\)/),
      });
      expect(outcome.result!.warnings!.join('\n')).toMatch(
        new RegExp(`${held}: retirement skipped: p202603 holds 2 rows with a NULL or zero created_at`),
      );
      expect(outcome.result!.summary).toContain(
        `${held}: created p202612, p202701, p202702; retired nothing: p202603 holds rows dated NULL or zero; 3 months ahead`,
      );
      const text = outcome.result!.sections!.find((x) => x.title === 'Skipped or refused') as { lines: string[] };
      expect(text.lines).toContainEqual(
        expect.stringMatching(
          new RegExp(`^${held}\\.p202603 \\(everything before 2026-04-01\\): p202603 holds 2 rows`),
        ),
      );
      const after = await layout(s, held);
      expect(after.map((p) => p.name)).toEqual([
        ...before.filter((p) => p.name !== 'pmax').map((p) => p.name),
        'p202612',
        'p202701',
        'p202702',
        'pmax',
      ]);
      expect(after[0]!.rows).toBe(before[0]!.rows);
      expect(await undated(held)).toBe(2);
      const controlAfter = (await layout(s, control)).map((p) => p.name);
      expect(controlAfter).not.toContain('p202603');
      expect(controlAfter).not.toContain('p202604');
      expect(controlAfter).toContain('p202702');
    },
  );

  it('counts undated rows whatever the session sql_mode (strict, NO_ZERO_DATE): no zero-date literal is compared', async () => {
    await createLogTable(s, 'strict_logs', 8, 3, { nullable: true });
    await addUndatedRows('strict_logs');
    const conn = await app.db.pool.getConnection();
    try {
      await conn.query("SET SESSION sql_mode = 'TRADITIONAL,NO_ZERO_DATE,NO_ZERO_IN_DATE'");
      const db = makeJobDb(conn, app.db.dialect, s.name, s.name);
      const facts = await collectPartitionFacts(db, ['strict_logs'], 100, 'created_at');
      expect(facts.tables[0]!.firstPartitionUndated).toEqual({
        partition: 'p202603',
        nullRows: 1,
        zeroRows: 1,
        capped: false,
      });
      const [warnings] = await conn.query<RowDataPacket[]>('SHOW WARNINGS');
      expect(warnings).toEqual([]);
    } finally {
      await conn.query('SET SESSION sql_mode = DEFAULT');
      conn.release();
    }
  });

  it('a NULL-dated row written between planning and the DROP stops that DROP (checked again just before it runs)', async () => {
    await createLogTable(s, 'racing_logs', 7, 3, { nullable: true });
    const conn = await app.db.pool.getConnection();
    try {
      const db = makeJobDb(conn, app.db.dialect, s.name, s.name);
      const policy = {
        column: 'created_at',
        premakeMonths: 3,
        retentionMonths: 6,
        maxDropsPerRun: 2,
        pastRetention: 'drop' as const,
        pmaxRowThreshold: 100,
      };
      const plans = planPartitions(await collectPartitionFacts(db, ['racing_logs'], 100, 'created_at'), policy, NOW);
      expect(plans[0]!.actions.map((a) => (a.kind === 'create' ? 'create' : `${a.kind} ${a.partition}`))).toEqual([
        'create',
        'drop p202604',
      ]);
      await addUndatedRows('racing_logs', false);
      const outcomes = await applyPartitionPlan(db, plans, {
        lockWaitTimeoutSeconds: 2,
        column: 'created_at',
        signal: new AbortController().signal,
        progress: () => {},
      });
      expect(outcomes.map((o) => [o.action.kind, o.outcome])).toEqual([
        ['create', 'done'],
        ['drop', 'changed'],
      ]);
      expect(outcomes[1]!.note).toBe('not run: p202604 now holds 1 rows dated NULL or zero (written since planning)');
    } finally {
      conn.release();
    }
    expect((await layout(s, 'racing_logs'))[0]!.name).toBe('p202604');
    expect(await undated('racing_logs')).toBe(1);
  });

  it('a tail partition named `p max` is quoted, not refused; the other table still gets its new months', async () => {
    await createLogTable(s, 'spaced_logs', 1, 3, { tail: 'p max' });
    await createLogTable(s, 'next_logs', 1, 3);
    const outcome = await run({}, ['spaced_logs', 'next_logs']);
    expect(outcome.error).toBeUndefined();
    expect(outcome.status).toBe('ok');
    expect((await layout(s, 'spaced_logs')).map((p) => p.name)).toEqual([
      'p202610',
      'p202611',
      'p202612',
      'p202701',
      'p202702',
      'p max',
    ]);
    expect((await layout(s, 'next_logs')).map((p) => p.name)).toEqual([
      'p202610',
      'p202611',
      'p202612',
      'p202701',
      'p202702',
      'pmax',
    ]);
  });

  it('a table named with a leading digit, a space and a backtick, keyed on a column with a space, is rotated (oldest month dropped)', async () => {
    const table = '2fa log`s';
    const parts = [-7, -6, -5, -4, -3, -2, -1, 0].map(
      (m) => `PARTITION ${pname(monthStart(m))} VALUES LESS THAN (${monthStart(m + 1)})`,
    );
    await s.admin
      .query(`CREATE TABLE ${q(table)} (id INT NOT NULL, \`made at\` TIMESTAMP NOT NULL, PRIMARY KEY (id, \`made at\`)) ENGINE=InnoDB
      PARTITION BY RANGE (UNIX_TIMESTAMP(\`made at\`)) (${parts.join(', ')}, PARTITION pmax VALUES LESS THAN MAXVALUE)`);
    const outcome = await run({ config: { column: 'made at' } }, [table]);
    expect(outcome.error).toBeUndefined();
    expect(outcome.status).toBe('ok');
    expect((await layout(s, table)).map((p) => p.name)).toEqual([
      'p202605',
      'p202606',
      'p202607',
      'p202608',
      'p202609',
      'p202610',
      'p202611',
      'p202612',
      'p202701',
      'p202702',
      'pmax',
    ]);
  });

  it('archive through EXCHANGE PARTITION (the MySQL path) keeps every row in the archive table', async () => {
    await createLogTable(s, 'swap_logs', 7, 10);
    const before = await layout(s, 'swap_logs');
    const conn = await app.db.pool.getConnection();
    try {
      const db = makeJobDb(conn, app.db.dialect, s.name, s.name);
      const facts = await collectPartitionFacts(db, ['swap_logs'], 100, 'created_at');
      const policy = {
        column: 'created_at',
        premakeMonths: 3,
        retentionMonths: 6,
        maxDropsPerRun: 2,
        pastRetention: 'archive' as const,
        pmaxRowThreshold: 100,
      };
      const plans = planPartitions({ ...facts, server: { ...facts.server, archiveMethod: 'exchange' } }, policy, NOW);
      const outcomes = await applyPartitionPlan(db, plans, {
        lockWaitTimeoutSeconds: 2,
        column: 'created_at',
        signal: new AbortController().signal,
        progress: () => {},
      });
      expect(outcomes.map((o) => [o.action.kind, o.outcome, o.rows, o.archivedRows ?? null])).toEqual([
        ['create', 'done', 0, null],
        [
          'archive',
          'done',
          before.find((p) => p.name === 'p202604')!.rows,
          before.find((p) => p.name === 'p202604')!.rows,
        ],
      ]);
    } finally {
      conn.release();
    }
    expect((await layout(s, 'swap_logs')).map((p) => p.name)).not.toContain('p202604');
    const [[archived]] = (await s.admin.query('SELECT COUNT(*) AS n FROM swap_logs_p202604')) as unknown as [
      RowDataPacket[],
    ];
    expect(Number(archived!.n)).toBe(before.find((p) => p.name === 'p202604')!.rows);
  });
});
