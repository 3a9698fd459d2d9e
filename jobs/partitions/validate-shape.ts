import { isUtcMonthStart } from './month-math.js';
import type { ServerFacts, PartitionTableFacts } from './facts.js';

/** A month partition as the planner sees it: its real bounds in epoch seconds. */
export interface MonthPartition {
  name: string;
  /** Upper bound of the previous partition; null for the first one (it holds everything older). */
  lowerBound: number | null;
  upperBound: number;
}

export interface ValidLayout {
  column: string;
  months: MonthPartition[];
  tailName: string;
}

export type ShapeCheck = { ok: true; layout: ValidLayout } | { ok: false; reason: string };

/** `unix_timestamp(col)` as the server prints it: the column bare or in backticks (a backtick inside doubled). */
const EXPRESSION = /^\s*unix_timestamp\s*\(\s*(?:`((?:[^`]|``)+)`|([A-Za-z0-9_$]+))\s*\)\s*$/i;

/** The table's column named `column` (case-insensitive), if any. */
export function findColumn(
  t: Pick<PartitionTableFacts, 'columns'>,
  column: string,
): PartitionTableFacts['columns'][number] | undefined {
  return t.columns.find((c) => c.name.toLowerCase() === column.toLowerCase());
}

/** Unique keys (the primary key too) without `column`: RANGE partitioning on it needs it in every one. */
export function uniqueKeysWithout(t: PartitionTableFacts, column: string): PartitionTableFacts['uniqueKeys'] {
  return t.uniqueKeys.filter((k) => !k.columns.some((c) => c.toLowerCase() === column.toLowerCase()));
}

/** Refuse any table whose shape the rotation rules do not cover; the reason names what is wrong. */
export function validatePartitionShape(t: PartitionTableFacts, server: ServerFacts, column: string): ShapeCheck {
  const refuse = (reason: string): ShapeCheck => ({ ok: false, reason });
  if (!t.exists) return refuse('table not found in the database');
  if (server.readOnly) return refuse('server is read_only (a replica?): partitions are managed on the primary');
  if (!t.partitionMethod || t.partitions.length === 0) {
    return refuse(
      'not partitioned; `npm run job -- partitions --print-migration` prints the ALTER that would partition it',
    );
  }
  if (t.partitionMethod.toUpperCase() !== 'RANGE')
    return refuse(`partitioned by ${t.partitionMethod}, not RANGE (UNIX_TIMESTAMP(${column}))`);
  if (t.subpartitionMethod) return refuse(`has subpartitions (${t.subpartitionMethod}); not handled`);
  const match = EXPRESSION.exec(t.expression ?? '');
  if (!match) return refuse(`partition expression is ${JSON.stringify(t.expression)}, not UNIX_TIMESTAMP(${column})`);
  const exprColumn = match[1] !== undefined ? match[1].replaceAll('``', '`') : match[2]!;
  if (exprColumn.toLowerCase() !== column.toLowerCase()) {
    return refuse(`partitioned on ${exprColumn}, but the configured column is ${column}`);
  }
  const col = findColumn(t, column);
  if (!col) return refuse(`column ${column} not found`);
  if (col.dataType.toLowerCase() !== 'timestamp')
    return refuse(`column ${column} is ${col.dataType}, not TIMESTAMP (UNIX_TIMESTAMP of it is not a UTC instant)`);
  const badKey = uniqueKeysWithout(t, column)[0];
  if (badKey) return refuse(`unique key ${badKey.name} (${badKey.columns.join(', ')}) does not include ${column}`);
  if (t.foreignKeys.length > 0) {
    const fk = t.foreignKeys[0]!;
    return refuse(
      `foreign key ${fk.name} (${fk.from} → ${fk.to}); partitioned tables cannot take part in foreign keys`,
    );
  }
  const last = t.partitions[t.partitions.length - 1]!;
  if (last.description.toUpperCase() !== 'MAXVALUE') {
    return refuse(
      `last partition ${last.name} is not VALUES LESS THAN MAXVALUE (new months are split from a MAXVALUE tail)`,
    );
  }
  const months: MonthPartition[] = [];
  let lower: number | null = null;
  for (const p of t.partitions.slice(0, -1)) {
    if (!/^-?\d+$/.test(p.description)) return refuse(`partition ${p.name} has bound ${p.description}, not an integer`);
    const upper = Number(p.description);
    if (!isUtcMonthStart(upper)) {
      return refuse(
        `partition ${p.name} ends at ${new Date(upper * 1000).toISOString()}, not an exact UTC month start`,
      );
    }
    if (lower !== null && upper <= lower)
      return refuse(`partition ${p.name} bound ${upper} is not above the previous one`);
    months.push({ name: p.name, lowerBound: lower, upperBound: upper });
    lower = upper;
  }
  return { ok: true, layout: { column: exprColumn, months, tailName: last.name } };
}
