/** The index review's analysis: PURE (no IO, no clock). Inventory + usage evidence + policy → findings with SQL. */
import {
  addIndexesSql,
  describeColumns,
  dropIndexesSql,
  hideIndexesSql,
  redefineIndexSql,
  type HideKeywords,
} from './sql.js';
import { indexKey, type IndexColumn, type IndexDef, type IndexEvidence, type IndexTableFacts } from './facts.js';

export type FindingKind =
  'duplicate' | 'left-prefix' | 'prefix-covered' | 'pk-suffix' | 'starts-with-unique' | 'unused' | 'over-budget';
export type Confidence = 'high' | 'medium' | 'low';

export interface Finding {
  schema: string;
  table: string;
  /** null for a table-level finding (over-budget). */
  index: string | null;
  kind: FindingKind;
  /** drop: part of the table's DROP statement; redefine / review: weaker, its own statement, a person decides. */
  action: 'drop' | 'redefine' | 'review';
  coveredBy?: string;
  bytes?: number | null;
  confidence: Confidence;
  reason: string;
  sql: string | null;
  rollbackSql: string | null;
  /** Weaker findings only (drops have theirs in the table review): ALTER INDEX … INVISIBLE/IGNORED and its undo. */
  hideSql?: string | null;
  unhideSql?: string | null;
  /** Present when there is usage evidence for the index. */
  reads?: number;
  observedDays?: number;
}

export interface TableReview {
  schema: string;
  table: string;
  indexCount: number;
  budget: number;
  /** Index count once every `drop` finding is applied. */
  indexCountAfter: number;
  indexBytes: number | null;
  reclaimableBytes: number | null;
  /** One statement for all of the table's drops, and the statement that re-creates them exactly. */
  dropSql: string | null;
  dropRollbackSql: string | null;
  hideSql: string | null;
  unhideSql: string | null;
}

export interface IndexReviewPolicy {
  defaultBudget: number;
  /** Budgets by "table" or "schema.table" (the latter wins). */
  tableBudgets: Record<string, number>;
  /** Fewer observed days than this: no "unused" verdict. */
  minEvidenceDays: number;
}

export interface IndexReviewFacts {
  tables: IndexTableFacts[];
  /** Evidence per indexKey(); absent = no usage evidence for that index. */
  evidence: Map<string, IndexEvidence>;
  hide: HideKeywords;
}

export interface IndexReviewPlan {
  findings: Finding[];
  tables: TableReview[];
  skipped: { target: string; reason: string }[];
}

type Relation = 'duplicate' | 'left-prefix' | 'prefix-covered' | 'pk-suffix';

const isBtree = (ix: IndexDef) => ix.type === 'BTREE' || ix.type === 'HASH';
const typeGroup = (ix: IndexDef) => ix.type;
const analyzable = (ix: IndexDef) => ix.columns.length > 0 && ix.columns.every((c) => c.name !== null);
// information_schema spells a column the same way in every index of a table.
const sameColumn = (a: IndexColumn, b: IndexColumn) =>
  a.name !== null && a.name === b.name && a.descending === b.descending;
/** Prefix length a ≤ b, with null = the whole column. */
const subLe = (a: number | null, b: number | null) => b === null || (a !== null && a <= b);
/** `a` leads `b`: b starts with a's columns in order, each indexed at least as long a prefix as in a. */
const leads = (a: readonly IndexColumn[], b: readonly IndexColumn[]) =>
  a.length <= b.length && a.every((c, i) => sameColumn(c, b[i]!) && subLe(c.subPart, b[i]!.subPart));

/** How `keeper` makes `ix` redundant, or null. Never across types: FULLTEXT/SPATIAL are not redundant with BTREE. */
function coverage(keeper: IndexDef, ix: IndexDef, pk: IndexDef | undefined, innodb: boolean): Relation | null {
  if (keeper === ix || !analyzable(keeper) || !analyzable(ix)) return null;
  if (keeper.hidden && !keeper.primary) return null;
  if (typeGroup(keeper) !== typeGroup(ix)) return null;
  const a = ix.columns;
  const b = keeper.columns;
  if (leads(a, b)) {
    const exact = a.length === b.length && a.every((c, i) => c.subPart === b[i]!.subPart);
    if (exact) return 'duplicate';
    if (!isBtree(ix)) return null; // only exact duplicates count for FULLTEXT, SPATIAL
    if (typeGroup(ix) === 'HASH') return null; // a hash index serves whole-key lookups only
    return a.length === b.length ? 'prefix-covered' : 'left-prefix';
  }
  if (innodb && pk && isBtree(ix) && typeGroup(ix) === 'BTREE' && !keeper.primary && pkSuffixLength(ix, pk) > 0) {
    if (leads(effectiveColumns(ix, pk), effectiveColumns(keeper, pk))) return 'pk-suffix';
  }
  return null;
}

/** How many trailing columns of `ix` repeat the leading primary-key columns (whole columns), leaving ≥ 1 own column. */
export function pkSuffixLength(ix: IndexDef, pk: IndexDef): number {
  for (let k = Math.min(pk.columns.length, ix.columns.length - 1); k >= 1; k -= 1) {
    const tail = ix.columns.slice(ix.columns.length - k);
    if (tail.every((c, i) => c.subPart === null && pk.columns[i]!.subPart === null && sameColumn(c, pk.columns[i]!)))
      return k;
  }
  return 0;
}

/** A secondary InnoDB index as stored: its columns, then the primary-key columns it does not already hold whole. */
function effectiveColumns(ix: IndexDef, pk: IndexDef): IndexColumn[] {
  const whole = ix.columns.filter((c) => c.subPart === null).map((c) => c.name);
  return [...ix.columns, ...pk.columns.filter((c) => !whole.includes(c.name))];
}

/** Can this index serve a foreign key that needs `columns` as its leading columns? (Hidden indexes still do.) */
function supportsForeignKey(ix: IndexDef, columns: string[]): boolean {
  if (!isBtree(ix) || ix.columns.length < columns.length) return false;
  return columns.every((name, i) => {
    const c = ix.columns[i]!;
    return c.name === name && c.subPart === null;
  });
}

function budgetFor(policy: IndexReviewPolicy, schema: string, table: string): number {
  return policy.tableBudgets[`${schema}.${table}`] ?? policy.tableBudgets[table] ?? policy.defaultBudget;
}

const RELATION_REASON: Record<Relation, string> = {
  duplicate: 'same type and the same columns in the same order with the same prefix lengths as',
  'left-prefix': 'its columns lead',
  'prefix-covered': 'a prefix index on columns that are indexed whole by',
  'pk-suffix':
    'it ends with primary-key columns InnoDB appends to every secondary index anyway, so it stores what is stored by',
};

function keepRank(ix: IndexDef, reads: number | null): [number, number, number] {
  // Lower sorts first = more worth keeping: PRIMARY, UNIQUE, more reads, older.
  return [ix.primary ? 0 : ix.unique ? 1 : 2, -(reads ?? 0), ix.ordinal];
}

function compareRank(a: [number, number, number], b: [number, number, number]): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

export function planTable(
  t: IndexTableFacts,
  facts: Pick<IndexReviewFacts, 'evidence' | 'hide'>,
  policy: IndexReviewPolicy,
): IndexReviewPlan {
  const { schema, table } = t;
  const hide = facts.hide;
  const innodb = (t.engine ?? '').toUpperCase() === 'INNODB';
  const pk = t.indexes.find((ix) => ix.primary);
  const evidenceByIndex = new Map(
    t.indexes.map((ix) => [ix, facts.evidence.size ? facts.evidence.get(indexKey(schema, table, ix.name)) : undefined]),
  );
  const evidenceOf = (ix: IndexDef) => evidenceByIndex.get(ix);
  const ranks = new Map(t.indexes.map((ix) => [ix, keepRank(ix, evidenceByIndex.get(ix)?.reads ?? null)]));
  const rankOf = (ix: IndexDef) => ranks.get(ix)!;
  const relations = new Map<IndexDef, Map<IndexDef, Relation | null>>();
  const covers = (keeper: IndexDef, ix: IndexDef): Relation | null => {
    let row = relations.get(ix);
    if (!row) relations.set(ix, (row = new Map()));
    let r = row.get(keeper);
    if (r === undefined) row.set(keeper, (r = coverage(keeper, ix, pk, innodb)));
    return r;
  };
  const findings: Finding[] = [];
  const skipped: IndexReviewPlan['skipped'] = [];
  const target = (ix: IndexDef) => `${schema}.${table}.${ix.name}`;

  const dropped = new Map<IndexDef, { kind: FindingKind; keeper?: IndexDef; reason: string; confidence: Confidence }>();
  /** The foreign key left without an index if `gone` were dropped (and `added` existed), or null. */
  const orphanedForeignKey = (gone: Set<IndexDef>, added?: IndexDef) => {
    const remaining = [...t.indexes.filter((ix) => !gone.has(ix)), ...(added ? [added] : [])];
    return t.foreignKeys.find((fk) => !remaining.some((ix) => supportsForeignKey(ix, fk.columns))) ?? null;
  };
  const fkReason = (fk: { constraint: string; role: string; columns: string[] }) =>
    `it is the last index foreign key ${fk.constraint} can use (${fk.role === 'child' ? '' : 'referenced '}columns ${fk.columns.join(', ')}): never recommended`;

  // Never dropped: PRIMARY, UNIQUE (they enforce a rule), expression indexes (cannot be re-created from
  // information_schema).
  const candidates = t.indexes.filter((ix) => !ix.primary && !ix.unique && analyzable(ix));
  for (const ix of t.indexes) {
    if (!ix.primary && !analyzable(ix)) skipped.push({ target: target(ix), reason: 'expression index: not compared' });
  }
  // Unique keys covered by another index are reported, never dropped.
  for (const ix of t.indexes.filter((i) => i.unique && !i.primary && analyzable(i))) {
    const keeper = t.indexes.find(
      (k) => k !== ix && (k.primary || (k.unique && k.ordinal < ix.ordinal)) && covers(k, ix) === 'duplicate',
    );
    if (keeper)
      skipped.push({
        target: target(ix),
        reason: `UNIQUE index duplicating ${keeper.name}: a unique index enforces a rule, so dbkeeper never recommends dropping it; review by hand`,
      });
  }

  // 1. Structural redundancy, worst first, deciding the whole set together: a keeper is never itself dropped.
  const worstFirst = [...candidates].sort((a, b) => compareRank(rankOf(b), rankOf(a)));
  for (const ix of worstFirst) {
    const keepers = t.indexes
      .filter((k) => !dropped.has(k) && covers(k, ix) !== null)
      .sort((a, b) => compareRank(rankOf(a), rankOf(b)));
    const keeper = keepers[0];
    if (!keeper) continue;
    const relation = covers(keeper, ix)!;
    const fk = orphanedForeignKey(new Set([...dropped.keys(), ix]));
    if (fk) {
      skipped.push({ target: target(ix), reason: `${relation} of ${keeper.name}, but ${fkReason(fk)}` });
      continue;
    }
    dropped.set(ix, {
      kind: relation,
      keeper,
      confidence: 'high',
      reason: `${RELATION_REASON[relation]} ${keeper.name} (${describeColumns(keeper.columns)})`,
    });
  }
  // A dropped index's keeper may itself be dropped later: name the index that finally covers it.
  const finalKeeper = (ix: IndexDef): IndexDef | undefined => {
    let k = dropped.get(ix)?.keeper;
    while (k && dropped.get(k)?.keeper) k = dropped.get(k)!.keeper;
    return k;
  };
  const keepersInUse = new Set([...dropped.keys()].map(finalKeeper).filter((k): k is IndexDef => k !== undefined));

  // 2. Unused: no reads over enough observed days. Never for FULLTEXT/SPATIAL, nor for a keeper of a drop above.
  let tooLittleEvidence = 0;
  for (const ix of candidates) {
    if (dropped.has(ix)) continue;
    const ev = evidenceOf(ix);
    if (!ev || ev.reads > 0) continue;
    if (!isBtree(ix)) continue;
    if (ev.observedDays <= 0 || ev.observedDays < policy.minEvidenceDays) {
      tooLittleEvidence += 1;
      continue;
    }
    if (keepersInUse.has(ix)) {
      skipped.push({
        target: target(ix),
        reason: 'no reads observed, but the drops above rely on it to cover their queries',
      });
      continue;
    }
    const fk = orphanedForeignKey(new Set([...dropped.keys(), ix]));
    if (fk) {
      skipped.push({
        target: target(ix),
        reason: `no reads observed (foreign-key checks do not show in the counters), and ${fkReason(fk)}`,
      });
      continue;
    }
    dropped.set(ix, {
      kind: 'unused',
      confidence: 'medium',
      reason: `no reads through it in ${ev.observedDays.toFixed(1)} observed days`,
    });
  }
  if (tooLittleEvidence > 0) {
    skipped.push({
      target: `${schema}.${table}`,
      reason: `${tooLittleEvidence} index(es) without reads so far, but fewer than ${policy.minEvidenceDays} observed days: not called unused yet`,
    });
  }

  const drops = [...dropped.keys()].sort((a, b) => a.ordinal - b.ordinal);
  for (const ix of drops) {
    const d = dropped.get(ix)!;
    const keeper = finalKeeper(ix);
    const ev = evidenceOf(ix);
    findings.push({
      schema,
      table,
      index: ix.name,
      kind: d.kind,
      action: 'drop',
      ...(keeper ? { coveredBy: keeper.name } : {}),
      bytes: ix.bytes,
      confidence: d.confidence,
      reason: keeper && keeper !== d.keeper ? `${d.reason}, which is itself covered by ${keeper.name}` : d.reason,
      sql: dropIndexesSql(schema, table, [ix]),
      rollbackSql: addIndexesSql(schema, table, [ix], hide),
      ...evidenceFields(ev),
    });
  }

  // 3. Weaker findings among what stays: starts with a whole unique key; ends with the primary key (rewrite only).
  const gone = new Set(drops);
  for (const ix of candidates) {
    if (gone.has(ix) || !isBtree(ix) || typeGroup(ix) !== 'BTREE') continue;
    const uniqueLead = t.indexes.find(
      (u) =>
        (u.primary || u.unique) &&
        analyzable(u) &&
        u.columns.length < ix.columns.length &&
        leads(u.columns, ix.columns),
    );
    if (uniqueLead) {
      const extra = ix.columns.slice(uniqueLead.columns.length);
      const fk = orphanedForeignKey(new Set([...gone, ix]));
      const ev = evidenceOf(ix);
      findings.push({
        schema,
        table,
        index: ix.name,
        kind: 'starts-with-unique',
        action: 'review',
        coveredBy: uniqueLead.name,
        bytes: ix.bytes,
        confidence: 'low',
        reason:
          `starts with the whole ${uniqueLead.primary ? 'primary key' : `unique key ${uniqueLead.name}`} (${describeColumns(uniqueLead.columns)}): ` +
          `it matches at most one row before its extra columns (${describeColumns(extra)}); low value unless it is the only covering index for queries that read those columns` +
          (fk ? `; and ${fkReason(fk)}` : ''),
        sql: fk ? null : dropIndexesSql(schema, table, [ix]),
        rollbackSql: fk ? null : addIndexesSql(schema, table, [ix], hide),
        ...(fk
          ? {}
          : {
              hideSql: hideIndexesSql(schema, table, [ix], hide),
              unhideSql: hideIndexesSql(schema, table, [ix], hide, true),
            }),
        ...evidenceFields(ev),
      });
      continue;
    }
    const k = innodb && pk ? pkSuffixLength(ix, pk) : 0;
    if (k > 0) {
      const shorter = ix.columns.slice(0, ix.columns.length - k);
      const replacement: IndexDef = { ...ix, columns: shorter };
      const fk = orphanedForeignKey(new Set([...gone, ix]), replacement);
      if (fk) {
        skipped.push({
          target: target(ix),
          reason: `ends with the primary key, but rewriting it would leave foreign key ${fk.constraint} without an index`,
        });
        continue;
      }
      findings.push({
        schema,
        table,
        index: ix.name,
        kind: 'pk-suffix',
        action: 'redefine',
        bytes: ix.bytes,
        confidence: 'low',
        reason: `ends with primary-key column(s) ${describeColumns(ix.columns.slice(-k))} that InnoDB appends to every secondary index anyway: (${describeColumns(shorter)}) stores the same; rewriting it saves nothing but states what it is`,
        sql: redefineIndexSql(schema, table, ix, shorter, hide),
        rollbackSql: redefineIndexSql(schema, table, replacement, ix.columns, hide),
        ...evidenceFields(evidenceOf(ix)),
      });
    }
  }

  const budget = budgetFor(policy, schema, table);
  const sized = t.indexes.every((ix) => ix.bytes !== null);
  const review: TableReview = {
    schema,
    table,
    indexCount: t.indexes.length,
    budget,
    indexCountAfter: t.indexes.length - drops.length,
    indexBytes: sized ? t.indexes.reduce((s, ix) => s + (ix.bytes ?? 0), 0) : null,
    reclaimableBytes: drops.every((ix) => ix.bytes !== null) ? drops.reduce((s, ix) => s + (ix.bytes ?? 0), 0) : null,
    dropSql: drops.length ? dropIndexesSql(schema, table, drops) : null,
    dropRollbackSql: drops.length ? addIndexesSql(schema, table, drops, hide) : null,
    hideSql: drops.length ? hideIndexesSql(schema, table, drops, hide) : null,
    unhideSql: drops.length ? hideIndexesSql(schema, table, drops, hide, true) : null,
  };

  // 4. Over budget: the table as a whole, with the write cost named.
  if (t.indexes.length > budget) {
    const secondary = t.indexes.filter((ix) => !ix.primary).length;
    findings.push({
      schema,
      table,
      index: null,
      kind: 'over-budget',
      action: 'review',
      bytes: review.indexBytes,
      confidence: 'high',
      reason:
        `${t.indexes.length} indexes, budget ${budget}: every INSERT and DELETE writes ${secondary} secondary index tree(s) besides the clustered index, ` +
        `and every UPDATE of an indexed column rewrites its entries; the drops recommended here leave ${review.indexCountAfter}` +
        (review.indexCountAfter > budget
          ? ` (still ${review.indexCountAfter - budget} over: the remaining indexes need a person's review)`
          : ''),
      sql: review.dropSql,
      rollbackSql: review.dropRollbackSql,
    });
  }
  return { findings, tables: [review], skipped };
}

function evidenceFields(ev: IndexEvidence | undefined): Pick<Finding, 'reads' | 'observedDays'> {
  return ev ? { reads: ev.reads, observedDays: Math.round(ev.observedDays * 100) / 100 } : {};
}

export function planIndexReview(facts: IndexReviewFacts, policy: IndexReviewPolicy): IndexReviewPlan {
  const out: IndexReviewPlan = { findings: [], tables: [], skipped: [] };
  for (const t of facts.tables) {
    const p = planTable(t, facts, policy);
    out.findings.push(...p.findings);
    out.tables.push(...p.tables);
    out.skipped.push(...p.skipped);
  }
  return out;
}
