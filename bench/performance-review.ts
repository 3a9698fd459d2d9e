/** npm run bench:performance-review: reading and grouping a slow-log file, dbkeeper vs pt-query-digest on the
 * same synthetic MariaDB-format file, timed in the same run. Prints JSON: entries, seconds each, the ratio, and
 * whether both found the same statement groups with the same counts. BENCH_SLOWLOG_ENTRIES scales it. */
import { runPeer } from './run-peer.js';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { readSlowLogFile } from '../jobs/performance-review/slow-log-file.js';
import { StatementAggregator } from '../jobs/performance-review/statement-stats.js';

const ENTRIES = Number(process.env.BENCH_SLOWLOG_ENTRIES ?? 100_000);
const PT = process.env.PT_QUERY_DIGEST ?? '/usr/bin/pt-query-digest';

/** Statement shapes of a booking application; `$n` and `$s` become random literals. */
const TEMPLATES = [
  "SELECT * FROM appointments WHERE customer_id = $n AND starts_at >= '$s' ORDER BY starts_at LIMIT $n",
  "SELECT id, name, email FROM customers WHERE email = '$s'",
  "UPDATE appointments SET status = '$s', updated_at = NOW() WHERE id = $n",
  "INSERT INTO api_call_logs (endpoint, status, took_ms, created_at) VALUES ('$s', $n, $n, NOW()), ('$s', $n, $n, NOW())",
  "DELETE FROM appointment_locks WHERE expires_at < '$s' LIMIT $n",
  'SELECT COUNT(*) FROM appointments WHERE resource_id IN ($n, $n, $n, $n) AND deleted_at IS NULL',
  "SELECT a.id, c.name FROM appointments a JOIN customers c ON c.id = a.customer_id WHERE a.starts_at BETWEEN '$s' AND '$s'",
  "SELECT * FROM calls WHERE MATCH(transcript) AGAINST ('$s' IN BOOLEAN MODE) LIMIT $n, $n",
];

function literal(kind: string, rnd: () => number): string {
  return kind === '$n' ? String(Math.floor(rnd() * 100_000)) : `v${Math.floor(rnd() * 1e9).toString(36)}`;
}

function makeLog(path: string): Map<number, number> {
  let seed = 42;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const counts = new Map<number, number>();
  const parts: string[] = [
    '/usr/sbin/mariadbd, Version: 10.11.19-MariaDB (bench). started with:',
    'Tcp port: 3306  Unix socket: /run/mysqld/mysqld.sock',
    'Time\t\t    Id Command\tArgument',
  ];
  const t0 = 1_793_577_600; // 2026-11-01T00:00:00Z
  for (let i = 0; i < ENTRIES; i += 1) {
    const t = Math.floor(rnd() * TEMPLATES.length);
    counts.set(t, (counts.get(t) ?? 0) + 1);
    const sql = TEMPLATES[t]!.replace(/\$[ns]/g, (k) => literal(k, rnd));
    const qt = (0.5 + rnd() * 3).toFixed(6);
    parts.push(
      '# User@Host: app[app] @  [10.0.0.5]',
      `# Thread_id: ${1000 + (i % 50)}  Schema: booking  QC_hit: No`,
      `# Query_time: ${qt}  Lock_time: 0.000100  Rows_sent: 1  Rows_examined: ${Math.floor(rnd() * 5000)}`,
      '# Rows_affected: 0  Bytes_sent: 100',
      `SET timestamp=${t0 + i};`,
      `${sql};`,
    );
  }
  writeFileSync(path, `${parts.join('\n')}\n`);
  return counts;
}

async function run(cmd: string, args: string[]): Promise<string> {
  const r = await runPeer(cmd, args);
  if (r.code !== 0) throw new Error(`${cmd} exited ${r.code}: ${r.stderr.slice(0, 500)}`);
  return r.stdout;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'dbkeeper-bench-slowlog-'));
  try {
    const file = join(dir, 'slow.log');
    const truth = makeLog(file);

    const t1 = performance.now();
    const agg = new StatementAggregator();
    await readSlowLogFile(
      file,
      (e) => agg.add(e.sql, e.seconds, e.schema, e.rowsExamined),
      new AbortController().signal,
    );
    const ours = agg.stats();
    const oursSeconds = (performance.now() - t1) / 1000;

    const t2 = performance.now();
    const json = await run(PT, [
      '--output',
      'json',
      '--limit',
      '1000',
      '--report-format',
      'profile,query_report',
      file,
    ]);
    const ptSeconds = (performance.now() - t2) / 1000;
    const pt = JSON.parse(json) as { classes: { fingerprint: string; query_count: number }[] };

    const expected = [...truth.values()].sort((a, b) => a - b);
    const oursCounts = ours.map((s) => s.count).sort((a, b) => a - b);
    const ptCounts = pt.classes.map((c) => c.query_count).sort((a, b) => a - b);
    console.log(
      JSON.stringify(
        {
          bench: 'performance-review slow-log file digest',
          entries: ENTRIES,
          fileMB: Math.round(statSync(file).size / 1048576),
          templates: TEMPLATES.length,
          dbkeeper: {
            seconds: Number(oursSeconds.toFixed(3)),
            groups: ours.length,
            groupsMatchTemplates: JSON.stringify(oursCounts) === JSON.stringify(expected),
          },
          ptQueryDigest: {
            seconds: Number(ptSeconds.toFixed(3)),
            groups: pt.classes.length,
            groupsMatchTemplates: JSON.stringify(ptCounts) === JSON.stringify(expected),
          },
          ratio: Number((oursSeconds / ptSeconds).toFixed(3)),
          ratioMeaning: 'dbkeeper seconds / pt-query-digest seconds on the same file, same run (lower is faster)',
        },
        null,
        2,
      ),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
