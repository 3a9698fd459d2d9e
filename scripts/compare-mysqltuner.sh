#!/usr/bin/env bash
# Compare the health job with mysqltuner on the same server: each line mysqltuner flags ([!!]) → the dbkeeper figure
# that covers it (with its value and status from the same run), or why it is out of scope.
# Usage: bash scripts/compare-mysqltuner.sh   (server at DB_HOST/DB_PORT, root with an empty password by default)
# The health job runs twice for real against a scratch bookkeeping schema (dropped at the end): a snapshot before
# mysqltuner and one after, so the counter figures are deltas over mysqltuner's own run, as dbkeeper reports them.
set -euo pipefail
cd "$(dirname "$0")/.."

HOST="${DB_HOST:-127.0.0.1}"
PORT="${DB_PORT:-3306}"
USER_NAME="${DB_USERNAME:-root}"
DATABASE="${DB_DATABASE:-test}"
TUNER="${MYSQLTUNER:-/usr/bin/mysqltuner}"
META="dbkeeper_cmp_tuner_meta"
WORK="$(mktemp -d)"
# The mysql client (and mysqltuner through it) reads MYSQL_PWD: a password stays out of argv (the process list).
if [ -n "${DB_PASSWORD:-}" ]; then export MYSQL_PWD="$DB_PASSWORD"; fi
cleanup() { mysql -h "$HOST" -P "$PORT" -u "$USER_NAME" -e "DROP SCHEMA IF EXISTS \`$META\`" || true; rm -rf "$WORK"; }
trap cleanup EXIT

[ -x "$TUNER" ] || { echo "mysqltuner not found at $TUNER (apt-get install mysqltuner)" >&2; exit 69; }
npm run build --silent

echo '{"jobs": {"health": {"accountChecks": true, "indexUsageSnapshot": false}}}' >"$WORK/config.json"
health() {
  DBKEEPER_CONFIG="$WORK/config.json" DBKEEPER_SCHEMA="$META" DB_HOST="$HOST" DB_PORT="$PORT" DB_USERNAME="$USER_NAME" \
    DB_DATABASE="$DATABASE" LOG_LEVEL=error node dist/src/cli.js health --json
}
health >/dev/null || true
if [ -z "${DB_PASSWORD:-}" ]; then PASS_ARGS=(--pass ''); else PASS_ARGS=(); fi
# mysqltuner exits non-zero on some servers (e.g. a division by zero in its MyISAM section): keep what it printed.
"$TUNER" --host "$HOST" --port "$PORT" --user "$USER_NAME" "${PASS_ARGS[@]}" --nocolor --noask \
  >"$WORK/tuner.txt" 2>&1 || true
health >"$WORK/health.json" || true

node --input-type=module - "$WORK/tuner.txt" "$WORK/health.json" <<'JS'
import { readFileSync } from 'node:fs';
const [tunerFile, healthFile] = process.argv.slice(2);
const flagged = readFileSync(tunerFile, 'utf8')
  .split('\n')
  .filter((l) => l.startsWith('[!!]'))
  .map((l) => l.slice(5).trim());
const health = JSON.parse(readFileSync(healthFile, 'utf8'));
const figures = health.details?.figures ?? [];
// Each rule: what mysqltuner's line says → the dbkeeper figure(s) covering it, or the reason it is out of scope.
const rules = [
  [/is EOL software/, ['Server version end of life']],
  [/error\.log contains|error log/i, "out of scope: reading the error log needs the host's shell (a file), not SQL"],
  [/Aborted connections/, ['Aborted connection attempts', 'Aborted clients']],
  [/Joins performed without indexes/, ['Joins without indexes', 'Joins with a range check per row']],
  [/Performance_schema should be activated/, ['Average query time']],
  [/InnoDB buffer pool \/ data size/, ['Buffer pool vs InnoDB data']],
  [/Ratio InnoDB log file size/, ['Redo log vs buffer pool']],
  [/Temporary tables created on disk/, ['Temporary tables on disk']],
  [/Thread cache hit rate/, ['Thread cache hit ratio']],
  [/Table cache hit rate/, ['Table open cache hit ratio']],
  [/anonymous/i, ['Anonymous accounts']],
  [/password/i, ['Accounts without a password']],
  [/root.*(remote|any host|%)/i, ["Accounts 'root' from any host"]],
  [/primary key/i, ['Tables without a primary key']],
  [/Slow queries/, ['Slow queries']],
  [/connections/i, ['Connection use, peak', 'Refused connections (max_connections reached)']],
  [/buffer pool.*(read|hit)|Read buffer efficiency/i, ['Buffer pool hit ratio']],
  [/deadlock/i, ['Deadlocks']],
  [/memory/i, 'out of scope: physical memory needs the host\'s shell (/proc), not SQL'],
  [/fragment/i, 'out of scope here: the table-maintenance job decides rebuilds (DATA_FREE is a poor bloat signal)'],
  [/query cache/i, 'out of scope: the query cache is gone in MySQL 8 and off by default in MariaDB'],
  [/CVE/, 'out of scope: dbkeeper keeps no CVE list (the end-of-life figure covers unmaintained versions)'],
];
const show = (label) => {
  const f = figures.find((x) => x.label === label);
  if (!f) return `${label}: not in this run`;
  const value = f.value === null ? 'n/a' : `${f.value}${f.unit ? ` ${f.unit}` : ''}`;
  return `${label}: ${value} [${f.status}]${f.note ? ` — ${f.note}` : ''}`;
};
const rows = flagged.map((line) => {
  const rule = rules.find(([re]) => re.test(line));
  if (!rule) return [line, 'NOT COVERED'];
  return [line, Array.isArray(rule[1]) ? rule[1].map(show).join('<br>') : rule[1]];
});
const cell = (s) => String(s).replaceAll('|', '\\|');
console.log('| mysqltuner [!!] | dbkeeper |');
console.log('|---|---|');
for (const [a, b] of rows) console.log(`| ${cell(a)} | ${cell(b)} |`);
// The other way round: what dbkeeper warns about that mysqltuner did not flag.
const covered = new Set(rows.flatMap(([line]) => rules.find(([re]) => re.test(line))?.[1]).filter((x) => x));
const extra = figures.filter((f) => (f.status === 'warn' || f.status === 'fail') && !covered.has(f.label));
if (extra.length > 0) {
  console.log('\n| dbkeeper warns, mysqltuner did not flag | |');
  console.log('|---|---|');
  for (const f of extra) console.log(`| ${cell(f.label)} | ${cell(show(f.label).slice(f.label.length + 2))} |`);
}
const missing = rows.filter((r) => r[1] === 'NOT COVERED').length;
console.log(`\n${rows.length} lines flagged by mysqltuner, ${missing} not covered by dbkeeper`);
process.exitCode = missing > 0 ? 1 : 0;
JS
