import { quoteId, quoteTable } from '../../src/db/sql-identifier.js';

/** Statements of the partitions job. Identifiers go through quoteId; bounds are integers computed in the app. */

export interface NewMonth {
  name: string;
  upperBound: number;
}

function bound(n: number): string {
  if (!Number.isSafeInteger(n)) throw new Error(`partition bound ${n} is not an integer`);
  return String(n);
}

/** `PARTITION pYYYYMM VALUES LESS THAN (…), …, PARTITION tail VALUES LESS THAN MAXVALUE`. */
function monthsThenTail(months: readonly NewMonth[], tail: string): string {
  const parts = months.map(
    (m) => `PARTITION ${quoteId(m.name, 'partition')} VALUES LESS THAN (${bound(m.upperBound)})`,
  );
  parts.push(`PARTITION ${quoteId(tail, 'partition')} VALUES LESS THAN MAXVALUE`);
  return parts.join(', ');
}

export function reorganizeTailSql(schema: string, table: string, tail: string, months: readonly NewMonth[]): string {
  return `ALTER TABLE ${quoteTable(schema, table)} REORGANIZE PARTITION ${quoteId(tail, 'partition')} INTO (${monthsThenTail(months, tail)})`;
}

export function dropPartitionSql(schema: string, table: string, partition: string | readonly string[]): string {
  const names = (typeof partition === 'string' ? [partition] : partition)
    .map((p) => quoteId(p, 'partition'))
    .join(', ');
  return `ALTER TABLE ${quoteTable(schema, table)} DROP PARTITION ${names}`;
}

/** Only for an empty archive table an interrupted archive left (checked by the collector). */
export function dropTableSql(schema: string, table: string): string {
  return `DROP TABLE ${quoteTable(schema, table)}`;
}

/** Statements that move one partition into its own table: MariaDB 10.7+ in one, else via EXCHANGE. */
export function archivePartitionSql(
  method: 'convert' | 'exchange',
  schema: string,
  table: string,
  partition: string,
  archiveTable: string,
): string[] {
  const t = quoteTable(schema, table);
  const a = quoteTable(schema, archiveTable);
  const p = quoteId(partition, 'partition');
  if (method === 'convert') return [`ALTER TABLE ${t} CONVERT PARTITION ${p} TO TABLE ${a}`];
  return [
    `CREATE TABLE ${a} LIKE ${t}`,
    `ALTER TABLE ${a} REMOVE PARTITIONING`,
    `ALTER TABLE ${t} EXCHANGE PARTITION ${p} WITH TABLE ${a}`,
    `ALTER TABLE ${t} DROP PARTITION ${p}`,
  ];
}

export function partitionByMonthSql(
  schema: string,
  table: string,
  column: string,
  months: readonly NewMonth[],
  tail = 'pmax',
): string {
  return `ALTER TABLE ${quoteTable(schema, table)} PARTITION BY RANGE (UNIX_TIMESTAMP(${quoteId(column, 'column')})) (${monthsThenTail(months, tail)})`;
}
