#!/usr/bin/env node
// Turns the fault suite's results (test/faults/results/*.json, written by `npx vitest run test/faults`) into the
// Markdown table of docs/reliability.md: fault × point × job → cases run, data lost, hangs, duplicate runs, lost
// reports.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const dir = resolve(import.meta.dirname, '../test/faults/results');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort();
if (files.length === 0) {
  console.error(`no results in ${dir}: run \`npx vitest run test/faults\` first`);
  process.exit(1);
}
const rows = new Map();
for (const f of files) {
  for (const c of JSON.parse(readFileSync(join(dir, f), 'utf8')).cases) {
    const key = `${c.fault}\u0000${c.point}\u0000${c.job}`;
    const r = rows.get(key) ?? {
      fault: c.fault,
      point: c.point,
      job: c.job,
      cases: 0,
      dataLost: 0,
      hangs: 0,
      duplicateRuns: 0,
      lostReports: 0,
    };
    r.cases += 1;
    for (const k of ['dataLost', 'hangs', 'duplicateRuns', 'lostReports']) r[k] += c[k];
    rows.set(key, r);
  }
}
const all = [...rows.values()];
const total = all.reduce(
  (t, r) => ({
    cases: t.cases + r.cases,
    dataLost: t.dataLost + r.dataLost,
    hangs: t.hangs + r.hangs,
    duplicateRuns: t.duplicateRuns + r.duplicateRuns,
    lostReports: t.lostReports + r.lostReports,
  }),
  { cases: 0, dataLost: 0, hangs: 0, duplicateRuns: 0, lostReports: 0 },
);
const line = (cells) => `| ${cells.join(' | ')} |`;
console.log(line(['fault', 'point', 'job', 'cases run', 'data lost', 'hangs', 'duplicate runs', 'lost reports']));
console.log(line(['---', '---', '---', '---:', '---:', '---:', '---:', '---:']));
for (const r of all)
  console.log(line([r.fault, `\`${r.point}\``, r.job, r.cases, r.dataLost, r.hangs, r.duplicateRuns, r.lostReports]));
console.log(
  line(['**total**', '', '', total.cases, total.dataLost, total.hangs, total.duplicateRuns, total.lostReports]),
);
