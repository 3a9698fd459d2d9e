import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { healthConfigSchema } from '../../jobs/health/config.js';
import { healthJob } from '../../jobs/health/job.js';
import type { App } from '../../src/app/bootstrap.js';
import type { Figure, ReportSection } from '../../src/job/report-sections.js';
import { runJob } from '../../src/runner/run-job.js';
import { adminConnection, createTestSchema, silentLogger, testApp, type TestSchema } from '../helpers/test-db.js';

let ts: TestSchema;
let app: App;

beforeAll(async () => {
  ts = await createTestSchema();
  app = await testApp(ts.name);
  await ts.admin.query('CREATE TABLE no_pk (a INT NOT NULL, b INT NOT NULL) ENGINE=InnoDB');
  await ts.admin.query('INSERT INTO no_pk VALUES (1, 1), (2, 2), (3, 3)');
  // Three secondary indexes on one 16 KiB data page: 48 KiB of indexes.
  await ts.admin.query(
    `CREATE TABLE index_heavy (id INT PRIMARY KEY, a INT NOT NULL, b INT NOT NULL,
      KEY ix_a (a), KEY ix_b (b), KEY ix_ab (a, b)) ENGINE=InnoDB`,
  );
  await ts.admin.query('INSERT INTO index_heavy VALUES (1, 1, 1), (2, 2, 2)');
  await ts.admin.query(`ANALYZE TABLE index_heavy, no_pk`);
});

afterAll(async () => {
  await app?.db.close();
  await ts?.drop();
});

const health = () =>
  healthConfigSchema.parse({
    tableCheckSchemas: [ts.name],
    indexLargerThanDataMinBytes: 0,
    accountChecks: true,
    indexUsageSnapshot: false,
    apiResponse: { enabled: false },
  });

async function runHealth(dryRun: boolean) {
  const config = { ...app.config, jobs: { ...app.config.jobs, health: health() } };
  const outcome = await runJob({ db: app.db, config, log: silentLogger() }, healthJob, { trigger: 'manual', dryRun });
  expect(outcome.error).toBeUndefined();
  return outcome.result!;
}

function figure(sections: ReportSection[] | undefined, label: string): Figure {
  for (const s of sections ?? [])
    if (s.kind === 'figures') for (const f of s.figures) if (f.label.startsWith(label)) return f;
  throw new Error(`no figure ${label}`);
}

describe('the checks mysqltuner makes, on the real MariaDB', () => {
  it('names the table without a primary key and the one whose indexes outweigh its data', async () => {
    const result = await runHealth(true);
    const noPk = figure(result.sections, 'Tables without a primary key');
    expect(noPk).toMatchObject({ value: 1, status: 'warn', note: `${ts.name}.no_pk` });
    const heavy = figure(result.sections, 'Tables with indexes larger than their data');
    expect(String(heavy.note)).toContain(`${ts.name}.index_heavy`);
    expect(String(heavy.note)).not.toContain(`${ts.name}.no_pk`);
  });

  it('point values: buffer pool vs InnoDB data, redo log vs the pool, the version end of life', async () => {
    const result = await runHealth(true);
    expect(figure(result.sections, 'Buffer pool vs InnoDB data').value).toEqual(expect.any(Number));
    expect(figure(result.sections, 'Redo log vs buffer pool').note).toMatch(
      /^innodb_(log_file_size|redo_log_capacity) /,
    );
    expect(['ok', 'warn']).toContain(figure(result.sections, 'Server version end of life').status);
  });

  it('account checks list names only, never a hash', async () => {
    const result = await runHealth(true);
    // The tests connect as root with an empty password (test-db.ts): at least that account has none.
    const noPassword = figure(result.sections, 'Accounts without a password');
    expect(noPassword.status).toBe('warn');
    expect(String(noPassword.note)).toMatch(/'root'@'[^']+'/);
    expect(JSON.stringify(result)).not.toMatch(/\*[0-9A-F]{40}/);
    expect(figure(result.sections, 'Anonymous accounts').value).toEqual(expect.any(Number));
  });

  it('counters are per-day deltas between two stored snapshots', async () => {
    const first = await runHealth(false);
    expect(figure(first.sections, 'Joins without indexes')).toMatchObject({ value: null, status: 'n/a' });
    // A join of two tables without a usable index: Select_full_join + 1.
    await ts.admin.query('SELECT COUNT(*) FROM no_pk x JOIN no_pk y ON x.b = y.b');
    // One more connection: the thread cache ratio has a base.
    await (await adminConnection()).end();
    const second = await runHealth(false);
    const joins = figure(second.sections, 'Joins without indexes');
    expect(joins.value).toBeGreaterThanOrEqual(1);
    expect(figure(second.sections, 'Thread cache hit ratio').status).not.toBe('n/a');
  });
});
