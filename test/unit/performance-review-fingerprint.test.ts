import { describe, expect, it } from 'vitest';
import { fingerprint } from '../../jobs/performance-review/fingerprint.js';
import { SlowLogParser, type SlowLogEntry } from '../../jobs/performance-review/slow-log-file.js';
import { percentile, StatementAggregator } from '../../jobs/performance-review/statement-stats.js';

describe('fingerprint', () => {
  it.each([
    [
      "SELECT * FROM t WHERE id IN (1,2,3) AND name='x' LIMIT 10",
      'select * from t where id in(?+) and name = ? limit ?',
    ],
    [
      'select * from t where id in ( 4 )  and name = "y" limit 5, 10',
      'select * from t where id in(?+) and name = ? limit ?',
    ],
    ["INSERT INTO t (a,b) VALUES (1,'a'),(2,'b')", 'insert into t (a,b) values(?+)'],
    [
      'select /* report */ a from db1.t1 where x = -1.5e3 and y = 0x1F and z is null order by a  desc',
      'select a from db1.t1 where x = ? and y = ? and z is ? order by a desc',
    ],
    [
      'SELECT a - 1 FROM `appointments_2024` WHERE id=5 -- trailing\n',
      'select a - ? from appointments_2024 where id = ?',
    ],
    ["select * from t where s = 'it''s, (a) or 1=1' and b = 'x\\'y'", 'select * from t where s = ? and b = ?'],
    ['UPDATE t SET v = v + 1 WHERE id = 2;', 'update t set v = v + ? where id = ?'],
    ["select x'0A', b'01', N'text' from t # note", 'select ?,?,? from t'],
    ['SELECT SLEEP(0.3) AS s', 'select sleep(?) as s'],
    ['select count(*) from t limit 1 offset 20', 'select count(*) from t limit ?'],
  ])('%s', (sql, want) => expect(fingerprint(sql)).toBe(want));

  it('executions that differ only in values, case, spacing and comments group together', () => {
    const a = fingerprint("SELECT id FROM appointments WHERE customer_id = 17 AND starts_at >= '2026-11-01'");
    const b = fingerprint(
      "select  id\n from appointments /* app */ where customer_id=42 and starts_at>='2026-11-02 10:00'",
    );
    expect(a).toBe(b);
  });

  it('different tables and tenant tables with digits stay apart', () => {
    expect(fingerprint('select * from calls_2024 where id = 1')).not.toBe(
      fingerprint('select * from calls_2025 where id = 1'),
    );
    expect(fingerprint('select * from a where id = 1')).not.toBe(fingerprint('select * from b where id = 1'));
  });
});

describe('StatementAggregator', () => {
  it('nearest-rank p95', () => {
    const times = Array.from({ length: 20 }, (_, i) => i + 1);
    expect(percentile(times, 95)).toBe(19);
    expect(percentile([5], 95)).toBe(5);
    expect(percentile([], 95)).toBeNull();
  });

  it('one stat per fingerprint with count, total, max and p95; the first real statement only apart, as a raw sample', () => {
    const agg = new StatementAggregator();
    for (let i = 1; i <= 20; i += 1) agg.add(`select * from t where id = ${i}`, i / 10, 'app', 5);
    agg.add('update t set a = 1', 3, 'app', null);
    agg.add('   ', 9, null, null);
    const stats = agg.stats();
    expect(agg.entries).toBe(21);
    expect(stats).toHaveLength(2);
    expect(stats[0]).toMatchObject({
      fingerprint: 'select * from t where id = ?',
      schema: 'app',
      count: 20,
      maxSeconds: 2,
      p95Seconds: 1.9,
      rowsExamined: 100,
    });
    expect(stats[0]!.totalSeconds).toBeCloseTo(21, 6);
    expect(JSON.stringify(stats)).not.toContain('id = 1');
    expect(agg.rawSamples()).toEqual([
      { fingerprint: 'select * from t where id = ?', sample: 'select * from t where id = 1' },
      { fingerprint: 'update t set a = ?', sample: 'update t set a = 1' },
    ]);
  });
});

/** Recorded from MariaDB 10.11 on this machine (log_output=FILE), with a server restart banner in the middle. */
const MARIADB_LOG = `/usr/sbin/mariadbd, Version: 10.11.19-MariaDB-0+deb12u1 (Debian 12). started with:
Tcp port: 3306  Unix socket: /run/mysqld/mysqld.sock
Time		    Id Command	Argument
# Time: 261130 17:55:31
# User@Host: root[root] @  [127.0.0.1]
# Thread_id: 662  Schema: dbkeeper_t_0da55f7e3d  QC_hit: No
# Query_time: 0.120548  Lock_time: 0.000138  Rows_sent: 1  Rows_examined: 1
# Rows_affected: 0  Bytes_sent: 57
use \`dbkeeper_t_0da55f7e3d\`;
SET timestamp=1796061331;
SELECT SLEEP(0.12) AS s FROM probe_d758bda1 WHERE id = 1;
# User@Host: root[root] @  [127.0.0.1]
# Thread_id: 662  Schema: dbkeeper_t_0da55f7e3d  QC_hit: No
# Query_time: 0.300563  Lock_time: 0.000147  Rows_sent: 1  Rows_examined: 1
# Rows_affected: 0  Bytes_sent: 57
SET timestamp=1796061331;
SELECT SLEEP(0.3) AS s
  FROM probe_d758bda1
 WHERE id IN (1);
/usr/sbin/mariadbd, Version: 10.11.19-MariaDB-0+deb12u1 (Debian 12). started with:
Tcp port: 3306  Unix socket: /run/mysqld/mysqld.sock
Time		    Id Command	Argument
# Time: 261130 18:01:02
# User@Host: app[app] @  [10.0.0.5]
# Thread_id: 9  Schema:   QC_hit: No
# Query_time: 2.000000  Lock_time: 0.000000  Rows_sent: 0  Rows_examined: 0
# Rows_affected: 0  Bytes_sent: 11
SET timestamp=1796061662;
# administrator command: Ping;
`;

/** MySQL 8.0 slow-log format. */
const MYSQL_LOG = `# Time: 2026-11-30T17:55:31.123456Z
# User@Host: app[app] @  [10.0.0.5]  Id:     8
# Query_time: 1.500000  Lock_time: 0.000010 Rows_sent: 3  Rows_examined: 90000
use booking;
SET timestamp=1796061331;
SELECT * FROM appointments WHERE starts_at > '2026-11-01';
# Time: 2026-11-30T17:55:40.000001Z
# User@Host: app[app] @  [10.0.0.5]  Id:     8
# Query_time: 0.750000  Lock_time: 0.000010 Rows_sent: 3  Rows_examined: 45000
SET timestamp=1796061340;
SELECT * FROM appointments WHERE starts_at > '2026-11-15';
`;

function parse(text: string): SlowLogEntry[] {
  const out: SlowLogEntry[] = [];
  const p = new SlowLogParser((e) => out.push(e));
  for (const line of text.split('\n')) p.push(line);
  p.end();
  return out;
}

describe('SlowLogParser', () => {
  it('MariaDB format: schema from the header or use, multi-line statements, banners and administrator commands skipped', () => {
    const entries = parse(MARIADB_LOG);
    expect(entries).toEqual([
      {
        sql: 'SELECT SLEEP(0.12) AS s FROM probe_d758bda1 WHERE id = 1;',
        seconds: 0.120548,
        schema: 'dbkeeper_t_0da55f7e3d',
        rowsExamined: 1,
        epochSeconds: 1796061331,
      },
      {
        sql: 'SELECT SLEEP(0.3) AS s\n  FROM probe_d758bda1\n WHERE id IN (1);',
        seconds: 0.300563,
        schema: 'dbkeeper_t_0da55f7e3d',
        rowsExamined: 1,
        epochSeconds: 1796061331,
      },
    ]);
  });

  it('MySQL 8 format: the use line gives the schema of that entry only', () => {
    const entries = parse(MYSQL_LOG);
    expect(entries.map((e) => [e.seconds, e.schema, e.rowsExamined, e.epochSeconds])).toEqual([
      [1.5, 'booking', 90000, 1796061331],
      [0.75, null, 45000, 1796061340],
    ]);
    expect(new Set(entries.map((e) => fingerprint(e.sql))).size).toBe(1);
  });
});
