#!/usr/bin/env bash
# Compare the index review with pt-duplicate-key-checker (percona-toolkit) on the index-review fixture
# (test/fixtures/index-review-schema.ts) and, when it exists, the demo schema: every index pt flags must be
# flagged by dbkeeper too, or be listed in dbkeeper's "skipped" with the reason it is not recommended.
# Usage: bash scripts/compare-pt-duplicate-key-checker.sh   (MariaDB at DB_HOST/DB_PORT, root by default)
set -euo pipefail
cd "$(dirname "$0")/.."

HOST="${DB_HOST:-127.0.0.1}"
PORT="${DB_PORT:-3306}"
USER_NAME="${DB_USERNAME:-root}"
PT="${PT_DUPLICATE_KEY_CHECKER:-/usr/bin/pt-duplicate-key-checker}"
FX="dbkeeper_cmp_pt_fixture"
META="dbkeeper_cmp_pt_meta"
WORK="$(mktemp -d)"
# The mysql client and pt-duplicate-key-checker read MYSQL_PWD: the password stays out of argv (the process list).
if [ -n "${DB_PASSWORD:-}" ]; then export MYSQL_PWD="$DB_PASSWORD"; fi
mysql_cmd() { mysql -h "$HOST" -P "$PORT" -u "$USER_NAME" "$@"; }
cleanup() { mysql_cmd -e "DROP SCHEMA IF EXISTS \`$FX\`; DROP SCHEMA IF EXISTS \`$META\`" || true; rm -rf "$WORK"; }
trap cleanup EXIT

npm run build --silent
# The fixture is test code (not in the shipped dist/): compile it and what it imports to dist/.fixtures.
node node_modules/typescript/bin/tsc --outDir dist/.fixtures --rootDir . --module NodeNext --moduleResolution NodeNext \
  --target ES2022 --skipLibCheck --types node test/fixtures/index-review-schema.ts
# The connection comes from bench/bench-db.ts: the same DB_* keys and defaults as HOST, PORT and USER_NAME above.
node --input-type=module -e "
  import { benchConnection } from './dist/bench/bench-db.js';
  import { createIndexReviewFixture } from './dist/.fixtures/test/fixtures/index-review-schema.js';
  const c = await benchConnection();
  await createIndexReviewFixture(c, process.argv[1]);
  await c.end();
" "$FX"

SCHEMAS=("$FX")
if mysql_cmd -N -e "SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = 'dbkeeper_demo'" | grep -q 1; then SCHEMAS+=("dbkeeper_demo"); fi

for s in "${SCHEMAS[@]}"; do
  "$PT" --host "$HOST" --port "$PORT" --user "$USER_NAME" --databases "$s" >>"$WORK/pt.txt"
done

SCHEMA_JSON=$(printf '"%s",' "${SCHEMAS[@]}"); SCHEMA_JSON="[${SCHEMA_JSON%,}]"
echo "{\"jobs\": {\"index-review\": {\"schemas\": $SCHEMA_JSON}}}" >"$WORK/config.json"
DBKEEPER_CONFIG="$WORK/config.json" DBKEEPER_SCHEMA="$META" DB_HOST="$HOST" DB_PORT="$PORT" DB_USERNAME="$USER_NAME" DB_DATABASE="$FX" LOG_LEVEL=error \
  node dist/src/cli.js index-review --dry-run --json >"$WORK/dbkeeper.json" || true

node --input-type=module - "$WORK/pt.txt" "$WORK/dbkeeper.json" <<'JS'
import { readFileSync } from 'node:fs';
const [ptFile, ourFile] = process.argv.slice(2);
const pt = readFileSync(ptFile, 'utf8');
const ours = JSON.parse(readFileSync(ourFile, 'utf8'));
// pt prints one ALTER per flagged key: "ALTER TABLE `s`.`t` DROP INDEX `i`;" (or DROP FOREIGN KEY), after a
// "# i is a duplicate of j" / "# i is a left-prefix of j" / "# Key i ends with a prefix of the clustered index" line.
const flagged = [];
let reason = '';
for (const line of pt.split('\n')) {
  if (/^# (Key )?\S+ (is a|ends with)/.test(line)) reason = line.slice(2);
  const m = /^ALTER TABLE `([^`]+)`\.`([^`]+)` DROP (INDEX|FOREIGN KEY) `([^`]+)`/.exec(line);
  if (m) flagged.push({ schema: m[1], table: m[2], what: m[3], index: m[4], ptReason: reason });
}
const findings = ours.details?.findings ?? [];
const skipped = ours.skipped ?? [];
const describe = (x) => `${x.index}: ${x.kind}${x.coveredBy ? ` by ${x.coveredBy}` : ''} (${x.action}, ${x.confidence})`;
const other = (f) => /(?:duplicate|left-prefix) of (\S+)/.exec(f.ptReason)?.[1];
// Each pt flag is: flagged by dbkeeper too, or one of the explained disagreements below; anything else is MISSING.
const rows = flagged.map((f) => {
  const sameTable = (x) => x.schema === f.schema && x.table === f.table;
  const partner = other(f);
  const hit = findings.find((x) => sameTable(x) && x.index === f.index);
  if (hit) return { index: `${f.schema}.${f.table}.${f.index}`, pt: f.ptReason, dbkeeper: describe(hit), verdict: 'flagged' };
  const skip = skipped.find((x) => x.target === `${f.schema}.${f.table}.${f.index}` || (partner && x.target === `${f.schema}.${f.table}.${partner}` && x.reason.includes(f.index)));
  if (skip) return { index: `${f.schema}.${f.table}.${f.index}`, pt: f.ptReason, dbkeeper: `not recommended: ${skip.target}: ${skip.reason}`, verdict: 'explained: UNIQUE/foreign-key protection' };
  const reversed = findings.find((x) => sameTable(x) && x.index === partner && x.coveredBy === f.index && x.kind === 'prefix-covered');
  if (reversed) {
    return { index: `${f.schema}.${f.table}.${f.index}`, pt: f.ptReason, dbkeeper: describe(reversed), verdict: 'explained: pt is wrong here (it compares column lists as text, so `c` looks like a left prefix of `c`(n)); dbkeeper keeps the whole-column index and drops the prefix index' };
  }
  const pair = findings.find((x) => sameTable(x) && x.coveredBy === f.index && f.ptReason.length > 0 && flagged.some((g) => sameTable(g) && g.index === x.index));
  if (pair) return { index: `${f.schema}.${f.table}.${f.index}`, pt: f.ptReason, dbkeeper: describe(pair), verdict: 'explained: pt flags both indexes of a pair; dbkeeper drops one and keeps this one as its cover (same end state: one index)' };
  return { index: `${f.schema}.${f.table}.${f.index}`, pt: f.ptReason, dbkeeper: '-', verdict: 'MISSING' };
});
const extra = findings
  .filter((x) => x.index && !flagged.some((f) => f.schema === x.schema && f.table === x.table && f.index === x.index))
  .map((x) => ({ index: `${x.schema}.${x.table}.${x.index}`, dbkeeper: describe(x) }));
const missing = rows.filter((r) => r.verdict === 'MISSING');
console.log(JSON.stringify({ ptFlagged: rows.length, flaggedByDbkeeper: rows.filter((r) => r.verdict === 'flagged').length, explained: rows.filter((r) => r.verdict.startsWith('explained')).length, missing: missing.length, rows, onlyDbkeeper: extra }, null, 2));
process.exitCode = missing.length ? 1 : 0;
JS
