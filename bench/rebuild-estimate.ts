/**
 * npm run bench:rebuild-estimate [-- --mib=72 --shapes=sequential,wide_text --keep]
 * For each shape (sequential inserts, random primary keys, 60 % deleted, wide TEXT off-page, many secondary
 * indexes, compressed): a table of about `mib` MiB once rebuilt, its size after a rebuild predicted from a row sample,
 * then
 * rebuilt (ALTER TABLE … FORCE) and measured (information_schema after ANALYZE, and the tablespace file).
 * Target: |error| ≤ 20 % on every shape of 64 MiB or more; compressed is reported, not held. Prints JSON.
 */
import { quoteId } from '../src/db/sql-identifier.js';
import { benchConnection } from './bench-db.js';
import { buildShape, measureShape, measurementTable, SHAPES, type ShapeMeasurement } from './rebuild-shapes.js';

const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const MIB = Number(arg('mib') ?? 72);
if (!Number.isFinite(MIB) || MIB <= 0) throw new Error('--mib must be a positive number');
const only = arg('shapes')?.split(',');
const SCHEMA = 'dbkeeper_bench_rebuild';
const log = (line: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);

const conn = await benchConnection();
const s = quoteId(SCHEMA, 'bench schema');
await conn.query(`DROP SCHEMA IF EXISTS ${s}`);
await conn.query(`CREATE SCHEMA ${s}`);
await conn.query(`USE ${s}`);
const results: ShapeMeasurement[] = [];
try {
  for (const shape of SHAPES.filter((x) => !only || only.includes(x.name))) {
    log(`building ${shape.name} (~${MIB} MiB)`);
    const table = await buildShape(conn, shape, MIB * 1024 ** 2);
    log(`measuring ${shape.name}`);
    results.push(await measureShape(conn, SCHEMA, table, shape));
    await conn.query(`DROP TABLE ${quoteId(table, 'table')}`);
  }
} finally {
  if (!process.argv.includes('--keep')) await conn.query(`DROP SCHEMA IF EXISTS ${s}`);
  await conn.end();
}
process.stderr.write(`${measurementTable(results)}\n`);
const held = results.filter(
  (m) => m.shape !== 'compressed' && m.after.dataLength + m.after.indexLength >= 64 * 1024 ** 2,
);
const MiB = (b: number) => Math.round((b / 1024 ** 2) * 10) / 10;
process.stdout.write(
  `${JSON.stringify(
    {
      bench: 'rebuild-estimate',
      targetMiB: MIB,
      target: '|error| <= 20 % on every shape >= 64 MiB (compressed reported, not held)',
      shapes: results.map((m) => ({
        shape: m.shape,
        rows: m.rows,
        beforeAllocatedMiB: MiB(m.before.dataLength + m.before.indexLength + m.before.dataFree),
        predictedMiB: MiB(m.predictedBytes),
        predictedOffPageMiB: MiB(m.predictedOffPageBytes),
        actualDataIndexMiB: MiB(m.after.dataLength + m.after.indexLength),
        actualFileMiB: MiB(m.after.fileSize),
        actualAllocatedMiB: MiB(m.after.allocatedSize),
        errorPercent: m.errorPercent,
        sampledRows: m.sampledRows,
        sampleMs: m.sampleMs,
      })),
      heldShapes: held.length,
      worstHeldErrorPercent: held.length ? Math.max(...held.map((m) => Math.abs(m.errorPercent))) : null,
      targetMet: held.length > 0 && held.every((m) => Math.abs(m.errorPercent) <= 20),
    },
    null,
    2,
  )}\n`,
);
