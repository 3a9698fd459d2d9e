/**
 * npm run bench:partitions [-- --rows=10000000 --months=24 --keep]
 * A log table of `rows` rows over `months` months (equal rows per month). Measures, in one run:
 *  1. the monthly partitions run (through runJob): wall time, and the longest stall of an INSERT loop on
 *     another connection writing into the current month meanwhile;
 *  2. retiring one month: DROP PARTITION of one month vs DELETE of the rows of the adjacent month
 *     (same row count), with the writer's longest stall during each. Prints JSON.
 */
import { performance } from 'node:perf_hooks';
import { apiCallLogsTableSql } from '../src/demo/platform-tables.js';
import { BENCH_DB, benchConnection } from './bench-db.js';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import pino from 'pino';
import { ALL_JOBS } from '../jobs/index.js';
import { partitionsJob } from '../jobs/partitions/job.js';
import { connectApp } from '../src/app/bootstrap.js';
import { loadConfig } from '../src/config/load-config.js';
import { quoteId } from '../src/db/sql-identifier.js';
import { monthStartSeconds, partitionNameFor } from '../jobs/partitions/month-math.js';
import { runJob } from '../src/runner/run-job.js';

function flag(name: string, fallback: number): number {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  const value = arg ? Number(arg.split('=')[1]) : fallback;
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a positive integer`);
  return value;
}

const ROWS = flag('rows', 10_000_000);
const MONTHS = flag('months', 24);
const KEEP = process.argv.includes('--keep');
const SCHEMA = 'dbkeeper_bench_partitions';
const DB = BENCH_DB;

const s = quoteId(SCHEMA, 'bench schema');
const log = (line: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);

async function seed(conn: Connection, now: Date): Promise<{ seconds: number; perMonth: number }> {
  await conn.query(`DROP SCHEMA IF EXISTS ${s}`);
  await conn.query(`CREATE SCHEMA ${s}`);
  const parts: string[] = [];
  for (let m = -(MONTHS - 1); m <= 0; m += 1)
    parts.push(
      `PARTITION ${partitionNameFor(monthStartSeconds(now, m))} VALUES LESS THAN (${monthStartSeconds(now, m + 1)})`,
    );
  parts.push('PARTITION pmax VALUES LESS THAN MAXVALUE');
  await conn.query(apiCallLogsTableSql(`${s}.api_call_logs`, parts));
  const perMonth = Math.floor(ROWS / MONTHS);
  const started = performance.now();
  // One INSERT … SELECT per month from MariaDB's sequence engine; the current month only up to "now".
  const BATCH = 500_000;
  for (let m = -(MONTHS - 1); m <= 0; m += 1) {
    const start = monthStartSeconds(now, m);
    const end = m === 0 ? Math.max(start + 60, Math.floor(now.getTime() / 1000) - 3600) : monthStartSeconds(now, m + 1);
    for (let from = 0; from < perMonth; from += BATCH) {
      const to = Math.min(perMonth, from + BATCH) - 1;
      await conn.query(
        `INSERT INTO ${s}.api_call_logs (company_id, endpoint, status_code, duration_ms, created_at)
         SELECT 1 + seq % 500, ELT(1 + seq % 3, '/v1/bookings', '/v1/availability', '/v1/calls'), IF(seq % 50 = 0, 500, 200), 5 + seq % 300,
           FROM_UNIXTIME(? + FLOOR(seq * ? / ?))
         FROM ${s}.seq_${from}_to_${to}`,
        [start, end - start, perMonth],
      );
    }
    log(`seeded ${partitionNameFor(start)} (${((performance.now() - started) / 1000).toFixed(0)} s)`);
  }
  return { seconds: (performance.now() - started) / 1000, perMonth };
}

/** Inserts one row at a time into the current month on its own connection; records each insert's latency. */
class Writer {
  private stop = false;
  private loop: Promise<void> | null = null;
  latencies: { at: number; ms: number }[] = [];
  errors: string[] = [];
  constructor(private conn: Connection) {}
  start(): void {
    this.loop = (async () => {
      while (!this.stop) {
        const t0 = performance.now();
        try {
          await this.conn.query(
            `INSERT INTO ${s}.api_call_logs (company_id, endpoint, status_code, duration_ms) VALUES (1, '/v1/bench', 200, 1)`,
          );
        } catch (err) {
          this.errors.push((err as Error).message);
        }
        const t1 = performance.now();
        this.latencies.push({ at: t0, ms: t1 - t0 });
      }
    })();
  }
  async end(): Promise<void> {
    this.stop = true;
    await this.loop;
  }
  /** Inserts that overlapped [from, to] (ms, performance.now()). */
  window(from: number, to: number) {
    const w = this.latencies
      .filter((l) => l.at <= to && l.at + l.ms >= from)
      .map((l) => l.ms)
      .sort((a, b) => a - b);
    return {
      inserts: w.length,
      maxStallMs: w.length ? round(w[w.length - 1]!) : null,
      p99Ms: w.length ? round(w[Math.min(w.length - 1, Math.floor(w.length * 0.99))]!) : null,
      medianMs: w.length ? round(w[Math.floor(w.length / 2)]!) : null,
    };
  }
}

const round = (n: number) => Math.round(n * 10) / 10;

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T; from: number; to: number }> {
  const from = performance.now();
  const value = await fn();
  const to = performance.now();
  return { ms: round(to - from), value, from, to };
}

async function main(): Promise<void> {
  const now = new Date();
  const admin = await benchConnection();
  await admin.query("SET SESSION time_zone = '+00:00'");
  const [[version]] = (await admin.query('SELECT VERSION() AS v')) as unknown as [RowDataPacket[]];
  log(`seeding ${ROWS} rows over ${MONTHS} months into ${SCHEMA}`);
  const seeded = await seed(admin, now);
  await admin.query(`ANALYZE TABLE ${s}.api_call_logs`);

  const config = loadConfig({
    jobs: ALL_JOBS,
    overrides: { db: { ...DB, database: SCHEMA }, schema: null, log: { level: 'warn' } },
  });
  const app = await connectApp(config, pino({ level: 'warn' }, pino.destination(2)), { jobs: [partitionsJob] });
  const writerConn = await benchConnection(SCHEMA);
  const writer = new Writer(writerConn);
  writer.start();
  await new Promise((r) => setTimeout(r, 2000)); // a baseline for the writer

  log('monthly run');
  const run = await timed(() =>
    runJob({ db: app.db, config, log: app.log }, partitionsJob, { trigger: 'manual', dryRun: false }),
  );
  await new Promise((r) => setTimeout(r, 1000));
  const details = run.value.result?.details as
    | {
        tables?: {
          created?: { partition: string; statementMs: number | null }[];
          retired?: { partition: string; rows: number | null }[];
        }[];
      }
    | undefined;

  // Retire one month two ways: DROP PARTITION of the oldest remaining month, DELETE of the next one (same row count).
  const [partsRows] = await admin.query<RowDataPacket[]>(
    `SELECT PARTITION_NAME AS name, PARTITION_DESCRIPTION AS d FROM information_schema.PARTITIONS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'api_call_logs' ORDER BY PARTITION_ORDINAL_POSITION`,
    [SCHEMA],
  );
  const dropMonth = partsRows[0]!;
  const deleteMonth = partsRows[1]!;
  const count = async (p: string) =>
    Number(
      (
        (await admin.query(`SELECT COUNT(*) AS n FROM ${s}.api_call_logs PARTITION (${quoteId(p)})`)) as unknown as [
          RowDataPacket[],
        ]
      )[0][0]!.n,
    );
  const dropRows = await count(String(dropMonth.name));
  const deleteRows = await count(String(deleteMonth.name));
  const deleteFrom = Number(dropMonth.d); // the DELETE month starts where the DROP month ends
  const deleteTo = Number(deleteMonth.d);
  // DROP first, so it does not pay for the purge the DELETE leaves behind; both after a quiet second.
  log(`DROP PARTITION ${String(dropMonth.name)} (${dropRows} rows)`);
  const drop = await timed(() =>
    admin.query(`ALTER TABLE ${s}.api_call_logs DROP PARTITION ${quoteId(String(dropMonth.name))}`),
  );
  await new Promise((r) => setTimeout(r, 3000));
  log(`DELETE ${deleteRows} rows of ${String(deleteMonth.name)}`);
  const del = await timed(() =>
    admin.query(
      `DELETE FROM ${s}.api_call_logs WHERE created_at >= FROM_UNIXTIME(?) AND created_at < FROM_UNIXTIME(?)`,
      [deleteFrom, deleteTo],
    ),
  );
  await new Promise((r) => setTimeout(r, 1000));
  const baseline = writer.window(0, run.from);
  await writer.end();
  await writerConn.end();
  await app.db.close();
  if (!KEEP) await admin.query(`DROP SCHEMA IF EXISTS ${s}`);
  await admin.end();

  const out = {
    bench: 'partitions',
    server: String(version!.v),
    rows: seeded.perMonth * MONTHS,
    months: MONTHS,
    rowsPerMonth: seeded.perMonth,
    seed: { seconds: round(seeded.seconds), rowsPerSecond: Math.round((seeded.perMonth * MONTHS) / seeded.seconds) },
    monthlyRun: {
      status: run.value.status,
      wallMs: run.ms,
      summary: run.value.result?.summary ?? run.value.error?.message ?? null,
      created: details?.tables?.[0]?.created?.map((c) => c.partition) ?? [],
      reorganizeMs: details?.tables?.[0]?.created?.[0]?.statementMs ?? null,
      retired: details?.tables?.[0]?.retired ?? [],
      writer: writer.window(run.from, run.to),
    },
    writerBaseline: baseline,
    retireOneMonth: {
      dropPartition: {
        partition: String(dropMonth.name),
        rows: dropRows,
        ms: drop.ms,
        writer: writer.window(drop.from, drop.to),
      },
      delete: {
        partition: String(deleteMonth.name),
        rows: deleteRows,
        ms: del.ms,
        writer: writer.window(del.from, del.to),
      },
      deleteOverDropRatio: round(del.ms / Math.max(drop.ms, 0.1)),
    },
    writerErrors: writer.errors.slice(0, 5),
    note: 'DROP and DELETE retire two adjacent months with the same row count (each month can be retired once); the writer inserts into the current month on its own connection throughout',
  };
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:partitions: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1); // open connections would keep the process alive
});
