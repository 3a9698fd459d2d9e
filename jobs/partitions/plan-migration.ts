import { isoDay, monthStartSeconds, partitionNameFor } from './month-math.js';
import type { PartitionTableFacts } from './facts.js';
import { partitionByMonthSql, type NewMonth } from './sql.js';
import { findColumn, uniqueKeysWithout } from './validate-shape.js';

export interface MigrationPolicy {
  column: string;
  premakeMonths: number;
  retentionMonths: number;
}

export interface MigrationPlan {
  table: string;
  /** The ALTER a DBA may run; null when the table cannot (or need not) be partitioned this way. */
  sql: string | null;
  reason: string;
  notes: string[];
}

/** PURE: the ALTER that would partition an unpartitioned table by month, or why there is none. Never run by the job. */
export function planMigration(
  t: PartitionTableFacts,
  oldestRow: number | null,
  schema: string,
  policy: MigrationPolicy,
  now: Date,
): MigrationPlan {
  const none = (reason: string, notes: string[] = []): MigrationPlan => ({ table: t.table, sql: null, reason, notes });
  if (!t.exists) return none('table not found in the database');
  if (t.partitionMethod)
    return none(`already partitioned (${t.partitionMethod} ${t.expression ?? ''}); nothing to migrate`);
  const col = findColumn(t, policy.column);
  if (!col) return none(`column ${policy.column} not found`);
  if (col.dataType.toLowerCase() !== 'timestamp') {
    return none(`column ${policy.column} is ${col.dataType}; UNIX_TIMESTAMP partitioning needs a TIMESTAMP column`, [
      `convert it first: ALTER TABLE … MODIFY ${policy.column} TIMESTAMP … (check the values' time zone before you do)`,
    ]);
  }
  const badKeys = uniqueKeysWithout(t, policy.column);
  if (badKeys.length > 0) {
    return none(
      `unique key${badKeys.length > 1 ? 's' : ''} ${badKeys.map((k) => `${k.name} (${k.columns.join(', ')})`).join(', ')} without ${policy.column}`,
      [
        `every unique key (the primary key too) must include ${policy.column}, e.g. PRIMARY KEY (id, ${policy.column}); uniqueness then holds per (key, ${policy.column}) only`,
      ],
    );
  }
  if (t.foreignKeys.length > 0) {
    return none(
      `foreign keys ${t.foreignKeys.map((f) => `${f.name} (${f.from} → ${f.to})`).join(', ')}; partitioned InnoDB tables cannot take part in foreign keys`,
    );
  }
  const coverageTarget = monthStartSeconds(now, policy.premakeMonths + 1);
  const floor = monthStartSeconds(now, -(policy.retentionMonths + 12));
  const first =
    oldestRow === null
      ? monthStartSeconds(now)
      : Math.min(Math.max(monthStartSeconds(oldestRow), floor), monthStartSeconds(now));
  const months: NewMonth[] = [];
  for (let lower = first; lower < coverageTarget; lower = monthStartSeconds(lower, 1)) {
    months.push({ name: partitionNameFor(lower), upperBound: monthStartSeconds(lower, 1) });
  }
  const notes = [
    'the job never runs this: ALTER … PARTITION BY copies the whole table and blocks writes while it runs;',
    'run it in a maintenance window, or online with pt-online-schema-change --alter "PARTITION BY …".',
    `${months[0]!.name} also holds every row before ${isoDay(first)}.`,
  ];
  const retireable = months.filter((m) => m.upperBound <= monthStartSeconds(now, -policy.retentionMonths)).length;
  if (retireable > 0)
    notes.push(
      `${retireable} of these months are already past retention: the next runs retire them, oldest first, within the per-run cap.`,
    );
  return {
    table: t.table,
    sql: partitionByMonthSql(schema, t.table, policy.column, months),
    reason: `${months.length} months from ${isoDay(first)} to ${isoDay(coverageTarget)}, then pmax`,
    notes,
  };
}
