import { identifierProblem } from '../../src/config/identifier.js';
import { isoDay, monthStartSeconds, monthsBetween, partitionNameFor, TIMESTAMP_MAX_SECONDS } from './month-math.js';
import type { PartitionFacts, PartitionTableFacts, UndatedRows } from './facts.js';
import { archivePartitionSql, dropPartitionSql, dropTableSql, reorganizeTailSql } from './sql.js';
import { validatePartitionShape, type MonthPartition } from './validate-shape.js';

export interface PartitionPolicy {
  column: string;
  premakeMonths: number;
  retentionMonths: number;
  maxDropsPerRun: number;
  pastRetention: 'drop' | 'archive';
  pmaxRowThreshold: number;
}

export interface CreateAction {
  kind: 'create';
  table: string;
  tail: string;
  months: MonthPartition[];
  /** Rows counted in the tail: the REORGANIZE copies them into their months. */
  tailRowsMoved: number;
  reason: string;
  statements: string[];
}

export interface RetireAction {
  kind: 'drop' | 'archive';
  table: string;
  partition: string;
  lowerBound: number | null;
  upperBound: number;
  /** archive only */
  archiveTable?: string;
  archiveMethod?: 'convert' | 'exchange';
  reason: string;
  statements: string[];
  /** drop: the months of this run go in one `DROP PARTITION a, b`. The first carries the statement and names the
   * others (`dropsAlso`); each other one names the first (`droppedWith`) and has no statement of its own. */
  dropsAlso?: string[];
  droppedWith?: string;
}

export type PartitionAction = CreateAction | RetireAction;

export interface PartitionTablePlan {
  table: string;
  /** Why the table is left alone; null when it is planned. */
  refused: string | null;
  actions: PartitionAction[];
  skipped: { target: string; reason: string }[];
  warnings: string[];
  /** The first partition past retention, kept with every later month because it holds rows dated NULL or zero (or they
   * could not be counted). */
  retirementHeldBy: string | null;
  currentMonthStart: number;
  retentionStart: number;
  coverageTarget: number;
  /** Month partitions before the run (bounds as the server has them). */
  months: MonthPartition[];
  tail: string | null;
  tailRows: { counted: number; capped: boolean } | null;
  /** Months after the current one that have a partition: now, and once every planned action succeeded. */
  monthsAheadBefore: number | null;
  monthsAheadAfter: number | null;
  /** This table's premakeMonths (per-table policy). */
  premakeMonths: number;
}

/** Whole months covered after the current one; -1 = the current month itself has no partition (rows go to the tail). */
export function monthsAhead(coveredUntil: number | null, currentMonthStart: number): number | null {
  if (coveredUntil === null) return null;
  return Math.max(-1, monthsBetween(currentMonthStart, coveredUntil) - 1);
}

/** What the rotation should do at `now`, per table. PURE: facts, policy and clock in; actions with reasons out. */
export function planPartitions(
  facts: PartitionFacts,
  policy: PartitionPolicy | ((table: string) => PartitionPolicy),
  now: Date,
): PartitionTablePlan[] {
  return facts.tables.map((t) => planTable(t, facts, typeof policy === 'function' ? policy(t.table) : policy, now));
}

function planTable(
  t: PartitionTableFacts,
  facts: PartitionFacts,
  policy: PartitionPolicy,
  now: Date,
): PartitionTablePlan {
  const currentMonthStart = monthStartSeconds(now);
  const retentionStart = monthStartSeconds(now, -policy.retentionMonths);
  const coverageTarget = monthStartSeconds(now, policy.premakeMonths + 1);
  const base: PartitionTablePlan = {
    table: t.table,
    refused: null,
    actions: [],
    skipped: [],
    warnings: [],
    retirementHeldBy: null,
    currentMonthStart,
    retentionStart,
    coverageTarget,
    months: [],
    tail: null,
    tailRows: t.tailRows,
    monthsAheadBefore: null,
    monthsAheadAfter: null,
    premakeMonths: policy.premakeMonths,
  };
  const shape = validatePartitionShape(t, facts.server, policy.column);
  if (!shape.ok) return { ...base, refused: shape.reason };
  const { months, tailName } = shape.layout;
  const plan: PartitionTablePlan = { ...base, months, tail: tailName };
  const schema = facts.database;

  for (const m of months) {
    const expected = partitionNameFor(m.lowerBound ?? monthStartSeconds(m.upperBound, -1));
    if (m.name !== expected) {
      plan.warnings.push(
        `${t.table}.${m.name} holds ${rangeText(m)}: its name says otherwise; dbkeeper goes by the boundary`,
      );
    }
    if (m.lowerBound !== null && monthsBetween(m.lowerBound, m.upperBound) > 1) {
      plan.warnings.push(
        `${t.table}.${m.name} spans ${monthsBetween(m.lowerBound, m.upperBound)} months (${rangeText(m)}): a gap in the monthly layout`,
      );
    }
  }

  const lastBound = months.length > 0 ? months[months.length - 1]!.upperBound : null;
  plan.monthsAheadBefore = monthsAhead(lastBound, currentMonthStart);
  let coveredAfter = lastBound;

  // Create: the missing months up to now + premake, in one REORGANIZE of the tail.
  const from = lastBound ?? currentMonthStart;
  const newMonths: MonthPartition[] = [];
  for (
    let lower = from;
    lower < coverageTarget && lower <= TIMESTAMP_MAX_SECONDS;
    lower = monthStartSeconds(lower, 1)
  ) {
    newMonths.push({
      name: partitionNameFor(lower),
      lowerBound: lastBound === null && lower === from ? null : lower,
      upperBound: monthStartSeconds(lower, 1),
    });
  }
  if (coverageTarget > TIMESTAMP_MAX_SECONDS + 1)
    plan.warnings.push(`${t.table}: TIMESTAMP ends 2038-01-19; no months are made past it`);
  if (newMonths.length > 0) {
    const target = `${t.table}: create ${newMonths.map((m) => m.name).join(', ')}`;
    const taken = new Set([...months.map((m) => m.name.toLowerCase()), tailName.toLowerCase()]);
    const clash = newMonths.find((m) => taken.has(m.name.toLowerCase()));
    const rows = t.tailRows;
    if (clash) {
      plan.skipped.push({
        target,
        reason: `a partition named ${clash.name} already exists with another boundary; rename it first`,
      });
    } else if (!rows) {
      plan.skipped.push({ target, reason: 'rows in the tail could not be counted' });
    } else if (rows.capped || rows.counted > policy.pmaxRowThreshold) {
      plan.skipped.push({
        target,
        reason: `${tailName} holds ${rows.capped ? 'more than ' : ''}${rows.capped ? policy.pmaxRowThreshold : rows.counted} rows (threshold ${policy.pmaxRowThreshold}): REORGANIZE would copy them while blocking writes; split ${tailName} by hand in a quiet window`,
      });
    } else {
      const behind = lastBound !== null && lastBound <= currentMonthStart;
      plan.actions.push({
        kind: 'create',
        table: t.table,
        tail: tailName,
        months: newMonths,
        tailRowsMoved: rows.counted,
        reason:
          `${behind ? `catching up from ${isoDay(from)}; ` : ''}keep ${policy.premakeMonths} months ahead of ${isoDay(currentMonthStart)} (up to ${isoDay(coverageTarget)})` +
          (rows.counted > 0 ? `; moves ${rows.counted} rows out of ${tailName} into their months` : ''),
        statements: [reorganizeTailSql(schema, t.table, tailName, newMonths)],
      });
      coveredAfter = newMonths[newMonths.length - 1]!.upperBound;
    }
  }
  if (t.tailRows && t.tailRows.counted > 0) {
    const n = t.tailRows.capped ? `more than ${t.tailRows.counted - 1}` : String(t.tailRows.counted);
    plan.warnings.push(
      `${t.table}: ${n} rows in ${tailName} (written while their month had no partition, or dated past the last month)`,
    );
  }

  // Retire: months whose real upper bound is at or before the retention start, oldest first, up to the cap.
  // Months this run creates count too: catching up after a long outage can make months already past retention.
  const createdNow = plan.actions.flatMap((a) => (a.kind === 'create' ? a.months : []));
  const due = [...months, ...createdNow]
    .filter((m) => m.upperBound <= retentionStart)
    .sort((a, b) => a.upperBound - b.upperBound);
  // The first partition also holds every row dated NULL or zero: while it has any, nothing of the table is retired.
  const first = due[0]?.lowerBound === null ? due[0] : undefined;
  const keepFirst = first ? undatedReason(first.name, t.firstPartitionUndated, policy.column) : null;
  if (keepFirst) {
    plan.warnings.push(`${t.table}: retirement skipped: ${keepFirst}`);
    plan.retirementHeldBy = first!.name;
  }
  due.forEach((m, i) => {
    const target = `${t.table}.${m.name} (${rangeText(m)})`;
    if (m.upperBound > currentMonthStart) throw new Error(`planner invariant: ${target} is not in the past`);
    if (keepFirst) {
      plan.skipped.push({
        target,
        reason:
          m === first
            ? keepFirst
            : `past retention, but ${first!.name} is kept (rows dated NULL or zero); months are retired oldest first`,
      });
      return;
    }
    if (i >= policy.maxDropsPerRun) {
      plan.skipped.push({
        target,
        reason: `past retention, but the cap of ${policy.maxDropsPerRun} per run is reached; a later run retires it`,
      });
      return;
    }
    const reason = `ends ${isoDay(m.upperBound)}, at or before the retention start ${isoDay(retentionStart)} (${policy.retentionMonths} months)`;
    if (policy.pastRetention === 'drop') {
      plan.actions.push({
        kind: 'drop',
        table: t.table,
        partition: m.name,
        lowerBound: m.lowerBound,
        upperBound: m.upperBound,
        reason,
        statements: [dropPartitionSql(schema, t.table, m.name)],
      });
      return;
    }
    const archiveTable = `${t.table}_${m.name}`;
    const badName = identifierProblem(archiveTable);
    if (badName) {
      plan.skipped.push({ target, reason: `archive table name ${archiveTable} ${badName}` });
      return;
    }
    const method = facts.server.archiveMethod;
    const base = {
      kind: 'archive' as const,
      table: t.table,
      partition: m.name,
      lowerBound: m.lowerBound,
      upperBound: m.upperBound,
      archiveTable,
    };
    if (facts.server.tableNames.some((n) => n.toLowerCase() === archiveTable.toLowerCase())) {
      // An archive by EXCHANGE killed between its statements leaves the archive table: finish or redo it, else it
      // blocks every later run.
      const left = t.unfinishedArchives?.find((u) => u.partition === m.name);
      if (left?.archiveEmpty) {
        const statements = [
          dropTableSql(schema, archiveTable),
          ...archivePartitionSql(method, schema, t.table, m.name, archiveTable),
        ];
        plan.actions.push({
          ...base,
          archiveMethod: method,
          reason: `${reason}; kept as table ${archiveTable} (replaces the empty one an interrupted run left)`,
          statements,
        });
      } else if (left?.partitionEmpty) {
        const statements = [dropPartitionSql(schema, t.table, m.name)];
        plan.actions.push({
          ...base,
          archiveMethod: 'exchange',
          reason: `${reason}; an interrupted run already moved its rows to ${archiveTable}: drops the empty partition`,
          statements,
        });
      } else
        plan.skipped.push({ target, reason: `archive table ${archiveTable} already exists; move or drop it first` });
      return;
    }
    plan.actions.push({
      kind: 'archive',
      table: t.table,
      partition: m.name,
      lowerBound: m.lowerBound,
      upperBound: m.upperBound,
      archiveTable,
      archiveMethod: method,
      reason: `${reason}; kept as table ${archiveTable}`,
      statements: archivePartitionSql(method, schema, t.table, m.name, archiveTable),
    });
  });
  groupDrops(plan, schema, t.table);
  plan.monthsAheadAfter = monthsAhead(coveredAfter, currentMonthStart);
  return plan;
}

/** A run's months of one table go in one `DROP PARTITION a, b`: one metadata lock, one wait at most. */
function groupDrops(plan: PartitionTablePlan, schema: string, table: string): void {
  const drops = plan.actions.filter((a): a is RetireAction => a.kind === 'drop');
  if (drops.length < 2) return;
  const [first, ...rest] = drops;
  first!.statements = [
    dropPartitionSql(
      schema,
      table,
      drops.map((d) => d.partition),
    ),
  ];
  first!.dropsAlso = rest.map((d) => d.partition);
  for (const d of rest) {
    d.statements = [];
    d.droppedWith = first!.partition;
  }
}

/** Why the first partition must stay, or null when it holds no row dated NULL or zero. */
function undatedReason(partition: string, undated: UndatedRows | null, column: string): string | null {
  if (!undated || undated.partition !== partition)
    return `rows of ${partition} dated NULL or zero could not be counted; it is kept`;
  const n = undated.nullRows + undated.zeroRows;
  if (n === 0) return null;
  return (
    `${partition} holds ${undated.capped ? 'at least ' : ''}${n} rows with a NULL or zero ${column} (${undated.nullRows} NULL, ${undated.zeroRows} zero-dated): ` +
    'RANGE partitioning keeps them in the first partition whatever their real age, so retiring it would take them; ' +
    `give them a real ${column} (or delete them), then a later run retires it`
  );
}

export function rangeText(m: { lowerBound: number | null; upperBound: number }): string {
  return `${m.lowerBound === null ? 'everything before' : `${isoDay(m.lowerBound)} ..`} ${isoDay(m.upperBound)}`;
}
