import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoSchema } from '../../src/demo/demo-schema.js';
import { runCli, type CliRun } from '../helpers/run-cli.js';
import { adminConnection, createTestSchema, type TestSchema } from '../helpers/test-db.js';

/** One privilege of the printed grants, with who needs it and whether the job can do without it. */
interface PrintedGrant {
  privilege: string;
  object: string;
  /** null: dbkeeper's own schema. */
  jobs: (string | null)[];
  /** Per job: the comment says "(without it: …)". */
  degrades: Map<string | null, boolean>;
}

/** The GRANT lines of `grants`, each privilege with the jobs whose section lists it. */
function parseGrants(text: string): { statements: string[]; grants: PrintedGrant[] } {
  const statements: string[] = [];
  const byKey = new Map<string, PrintedGrant>();
  let job: string | null = null;
  let comments: { privilege: string; degrades: boolean }[] = [];
  for (const line of text.split('\n')) {
    const header = /^-- job (\S+)$/.exec(line);
    if (header) job = header[1]!;
    if (line.startsWith("-- dbkeeper's own tables")) job = null;
    const comment = /^-- {3}([A-Z ]+): (.*)$/.exec(line);
    if (comment) comments.push({ privilege: comment[1]!, degrades: comment[2]!.includes('(without it:') });
    const grant = /^GRANT (.+) ON (\S+) TO .+;$/.exec(line);
    if (!grant) continue;
    statements.push(line);
    for (const privilege of grant[1]!.split(', ')) {
      const key = `${privilege} ON ${grant[2]}`;
      const g: PrintedGrant = byKey.get(key) ?? { privilege, object: grant[2]!, jobs: [], degrades: new Map() };
      if (!g.jobs.includes(job)) g.jobs.push(job);
      g.degrades.set(job, comments.find((c) => c.privilege === privilege)?.degrades ?? false);
      byKey.set(key, g);
    }
    comments = [];
  }
  return { statements, grants: [...byKey.values()] };
}

interface Outcome {
  code: number | null;
  status: string | null;
  summary: string;
  text: string;
  warnings: string[];
  details: Record<string, unknown>;
}

function outcomeOf(run: CliRun): Outcome {
  let json: {
    status?: string;
    summary?: string;
    warnings?: string[];
    details?: Record<string, unknown>;
    run?: unknown;
  } = {};
  try {
    json = JSON.parse(run.stdout) as typeof json;
  } catch {
    // exit 78 prints no JSON: the reason is on stderr.
  }
  return {
    code: run.code,
    status: json.status ?? null,
    summary: json.summary ?? '',
    text: `${run.stdout}\n${run.stderr}`,
    warnings: json.warnings ?? [],
    details: json.details ?? {},
  };
}

const JOBS = ['ping', 'purge-locks', 'health', 'table-maintenance', 'partitions', 'index-review', 'performance-review'];
const PASSWORD = `pw-${randomBytes(6).toString('hex')}`;

let demo: TestSchema;
let own: string;
let user: string;
let account: string;
let env: Record<string, string>;
let printed: string;
const table: string[][] = [];

beforeAll(async () => {
  demo = await createTestSchema();
  own = `${demo.name}_own`;
  user = `dbk_${randomBytes(4).toString('hex')}`;
  account = `'${user}'@'127.0.0.1'`;
  await demo.admin.query("SET SESSION time_zone = '+00:00'");
  await createDemoSchema(demo.admin, new Date(), demo.name);
  const dir = mkdtempSync(join(tmpdir(), 'dbkeeper-lp-'));
  const config = join(dir, 'config.json');
  // The demo's own settings (src/demo/run-demo.ts): small tables may be rebuilt, DATETIME expiry written in UTC.
  writeFileSync(
    config,
    JSON.stringify({
      jobs: {
        'table-maintenance': { minReclaimBytes: 0, optimizeTables: ['appointments', 'calls'] },
        'purge-locks': {
          targets: [
            { table: 'appointment_locks', expiryColumn: 'expires_at', graceSeconds: 0, datetimeZone: 'Etc/UTC' },
          ],
        },
      },
      report: { outboxDir: join(dir, 'outbox') },
    }),
  );
  env = {
    DB_DATABASE: demo.name,
    DBKEEPER_SCHEMA: own,
    DBKEEPER_CONFIG: config,
    DB_USERNAME: user,
    DB_PASSWORD: PASSWORD,
    LOG_LEVEL: 'warn',
  };
  await demo.admin.query(`CREATE USER ${account} IDENTIFIED BY '${PASSWORD}'`);
  const run = await runCli(['grants', '--user', account, '--dialect', 'mariadb'], env);
  expect(run.code).toBe(0);
  printed = run.stdout;
  for (const statement of parseGrants(printed).statements) await demo.admin.query(statement);
}, 120_000);

afterAll(async () => {
  if (table.length) {
    const widths = [0, 1, 2].map((i) => Math.max(...table.map((r) => r[i]!.length)));
    const lines = table.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join(' | '));
    writeFileSync(join(tmpdir(), 'dbkeeper-least-privilege-table.txt'), `${printed}\n\n${lines.join('\n')}\n`);
    console.log(`grant → job → outcome\n${lines.join('\n')}`);
  }
  await demo?.admin.query(`DROP USER IF EXISTS ${account}`).catch(() => undefined);
  await demo?.admin.query(`DROP SCHEMA IF EXISTS \`${own}\``).catch(() => undefined);
  await demo?.drop();
});

const cli = async (job: string) => outcomeOf(await runCli([job, '--json'], env, 60_000));

/** Everything a job could change: rows and partitions of the demo tables, dbkeeper's stored samples. */
async function dataState(): Promise<string> {
  const c = await adminConnection();
  try {
    const [parts] = await c.query<RowDataPacket[]>(
      'SELECT TABLE_NAME AS t, PARTITION_NAME AS p FROM information_schema.PARTITIONS ' +
        'WHERE TABLE_SCHEMA = ? ORDER BY 1, 2',
      [demo.name],
    );
    const tables = [...new Set(parts.map((r) => String(r.t)))];
    const [sums] = await c.query<RowDataPacket[]>(
      `CHECKSUM TABLE ${tables.map((t) => `\`${demo.name}\`.\`${t}\``).join(', ')}`,
    );
    const [ownTables] = await c.query<RowDataPacket[]>(
      'SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ' +
        "AND TABLE_NAME NOT IN ('dbkeeper_runs', 'dbkeeper_migrations') ORDER BY 1",
      [own],
    );
    const counts: string[] = [];
    for (const r of ownTables) {
      const [n] = await c.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM \`${own}\`.\`${String(r.t)}\``);
      counts.push(`${String(r.t)}=${String(n[0]!.n)}`);
    }
    return JSON.stringify({ parts: parts.map((r) => `${String(r.t)}.${String(r.p)}`), sums, counts });
  } finally {
    await c.end();
  }
}

describe('least privilege on MariaDB: a user with exactly the printed grants', () => {
  it('runs every job for real on the demo schema: all succeed, none degraded', async () => {
    for (const job of JOBS) {
      const o = await cli(job);
      table.push(['(all printed grants)', job, `exit ${o.code}, ${o.status}`]);
      expect(o.code, `${job}: ${o.text}`).toBe(0);
      expect(['ok', 'warning']).toContain(o.status);
      expect(
        o.warnings.filter((w) => /GRANT /.test(w)),
        job,
      ).toEqual([]);
    }
    const ping = await cli('ping');
    expect((ping.details.privileges as { missing: unknown[] }).missing).toEqual([]);
  }, 300_000);

  it('without each grant in turn: the job names the GRANT and changes nothing, or says what it missed', async () => {
    const { grants } = parseGrants(printed);
    expect(grants.length).toBeGreaterThan(10);
    for (const g of grants) {
      const label = `${g.privilege} ON ${g.object}`;
      await demo.admin.query(`REVOKE ${g.privilege} ON ${g.object} FROM ${account}`);
      try {
        for (const job of g.jobs) {
          // Fresh demo data before each run, so a job that wrongly went ahead would change something.
          await demo.admin.query("SET SESSION time_zone = '+00:00'");
          await createDemoSchema(demo.admin, new Date(), demo.name);
          const before = await dataState();
          const o = await cli(job ?? 'ping');
          const grantText = `GRANT ${g.privilege} ON ${g.object} TO`;
          if (job === null) {
            // dbkeeper's own schema: exit 78 at start naming the GRANT, nothing run.
            table.push([
              label,
              "dbkeeper's schema (ping)",
              `exit ${o.code}: ${/run GRANT [^;]*ON [^ ]+ TO/.exec(o.text)?.[0] ?? o.text.slice(0, 80)}`,
            ]);
            expect(o.code, o.text).toBe(78);
            expect(o.text).toMatch(new RegExp(`GRANT [A-Z, ]*\\b${g.privilege}\\b[A-Z, ]* ON \`${own}\`\\.\\*`));
            expect(await dataState()).toBe(before);
            continue;
          }
          const probed = !/^SHOW VIEW$/.test(g.privilege);
          if (!probed) {
            // No harmless probe proves SHOW VIEW: the job runs and sees only the tables it holds another privilege on
            // (here every demo table has a table-level grant of some job, so it sees them all; docs/privileges.md).
            table.push([label, job, `exit ${o.code}, ${o.status}: not probed; ran: ${o.summary.slice(0, 90)}`]);
            expect(o.code, o.text).toBe(0);
            continue;
          }
          if (g.degrades.get(job)) {
            const said = o.warnings.find((w) => w.includes(grantText));
            table.push([
              label,
              job,
              `exit ${o.code}, ${o.status}: degraded: ${said?.replace(/; to see it: .*$/, '') ?? '(no warning)'}`,
            ]);
            expect(o.code, o.text).toBe(0);
            expect(o.status).toBe('warning');
            expect(said, o.text).toMatch(new RegExp(`^without ${g.privilege} on `));
          } else {
            const named = /missing [^:]+: run GRANT [^;]+;/.exec(o.text)?.[0] ?? '(no GRANT named)';
            table.push([label, job, `exit ${o.code}, ${o.status}: ${named}`]);
            expect(o.code, o.text).toBe(1);
            expect(o.status).toBe('failed');
            expect(o.text).toContain(grantText);
            expect(await dataState(), `${job} changed data without ${label}`).toBe(before);
            // The other jobs still run; ping lists what is missing.
            const ping = await cli('ping');
            expect(ping.code).toBe(0);
            const missing = (ping.details.privileges as { missing: { grant: string }[] }).missing;
            expect(missing.map((m) => m.grant).join('\n')).toContain(grantText);
          }
        }
      } finally {
        await demo.admin.query(`GRANT ${g.privilege} ON ${g.object} TO ${account}`);
      }
    }
  }, 600_000);
});
