import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { partitionsJob } from '../../jobs/partitions.js';
import type { App } from '../../src/app/bootstrap.js';
import { runJob, type RunRequest } from '../../src/runner/run-job.js';
import { createTestSchema, testApp, type TestSchema } from '../helpers/test-db.js';

// A fixed "now": the 1st of the month at 04:30 UTC, as the schedule fires.
const NOW = new Date('2026-11-01T04:30:00Z');

function monthStart(offset: number, base = NOW): number {
  return Date.UTC(base.getUTCFullYear(), base.getUTCMonth() + offset, 1) / 1000;
}
function pname(sec: number): string {
  const d = new Date(sec * 1000);
  return `p${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

const COLUMNS = `id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT, company_id INT UNSIGNED NOT NULL, created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP`;

/** `past` months before NOW's month + the current one + pmax; `rowsPerMonth` rows in each. */
async function createLogTable(s: TestSchema, table: string, past: number, rowsPerMonth: number): Promise<void> {
  const parts: string[] = [];
  for (let m = -past; m <= 0; m += 1) parts.push(`PARTITION ${pname(monthStart(m))} VALUES LESS THAN (${monthStart(m + 1)})`);
  parts.push('PARTITION pmax VALUES LESS THAN MAXVALUE');
  await s.admin.query(`CREATE TABLE \`${table}\` (${COLUMNS}, PRIMARY KEY (id, created_at)) ENGINE=InnoDB
    PARTITION BY RANGE (UNIX_TIMESTAMP(created_at)) (${parts.join(', ')})`);
  for (let m = -past; m <= 0; m += 1) {
    const values: unknown[] = [];
    for (let i = 0; i < rowsPerMonth + m + past; i += 1) values.push([1 + (i % 5), new Date((monthStart(m) + 3600 * (1 + i)) * 1000)]);
    await s.admin.query(`INSERT INTO \`${table}\` (company_id, created_at) VALUES ?`, [values]);
  }
}

async function layout(s: TestSchema, table: string): Promise<{ name: string; description: string; rows: number }[]> {
  const [parts] = await s.admin.query<RowDataPacket[]>(
    `SELECT PARTITION_NAME AS name, PARTITION_DESCRIPTION AS description FROM information_schema.PARTITIONS
     WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY PARTITION_ORDINAL_POSITION`,
    [s.name, table],
  );
  const out = [];
  for (const p of parts) {
    const [[c]] = (await s.admin.query(`SELECT COUNT(*) AS n FROM \`${table}\` PARTITION (\`${String(p.name)}\`)`)) as unknown as [RowDataPacket[]];
    out.push({ name: String(p.name), description: String(p.description), rows: Number(c!.n) });
  }
  return out;
}

describe('partitions job on MariaDB', () => {
  let s: TestSchema;
  let app: App;
  const run = (req: Partial<RunRequest> & { config?: Record<string, unknown> }, tables = ['api_call_logs']) =>
    runJob(
      { db: app.db, config: { ...app.config, jobs: { ...app.config.jobs, partitions: { ...(app.config.jobs as Record<string, object>).partitions, tables, ...(req.config ?? {}) } } }, log: app.log, clock: () => NOW },
      partitionsJob,
      { trigger: 'manual', dryRun: false, ...req },
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
    const expectedNames = ['p202605', 'p202606', 'p202607', 'p202608', 'p202609', 'p202610', 'p202611', 'p202612', 'p202701', 'p202702', 'pmax'];
    expect(after.map((p) => p.name)).toEqual(expectedNames);
    expect(after.find((p) => p.name === 'p202702')!.description).toBe(String(monthStart(4)));
    for (const kept of before.filter((p) => expectedNames.includes(p.name) && p.name !== 'pmax')) {
      expect(after.find((p) => p.name === kept.name)!.rows).toBe(kept.rows);
    }
    const details = first.result!.details as { tables: { retired: { partition: string; rows: number }[]; created: { partition: string }[]; monthsAhead: number }[] };
    expect(details.tables[0]!.retired).toEqual([
      expect.objectContaining({ partition: 'p202603', rows: before.find((p) => p.name === 'p202603')!.rows }),
      expect.objectContaining({ partition: 'p202604', rows: before.find((p) => p.name === 'p202604')!.rows }),
    ]);
    expect(details.tables[0]!.created.map((c) => c.partition)).toEqual(['p202612', 'p202701', 'p202702']);
    expect(details.tables[0]!.monthsAhead).toBe(3);

    const second = await run({ scheduledFor: new Date(NOW.getTime() + 1000) });
    expect(second.status).toBe('ok');
    expect(second.result!.summary).toContain('nothing to do');
    expect(await layout(s, 'api_call_logs')).toEqual(after);
  });
});
