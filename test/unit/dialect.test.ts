import { describe, expect, it } from 'vitest';
import {
  detectDialect,
  hideIndexKeywords,
  replicaLagField,
  replicaStatusStatement,
  statementTimeoutStatement,
  supportsConvertPartition,
  tablespaceSizeSql,
} from '../../src/db/dialect.js';

describe('dialect', () => {
  it.each([
    ['10.11.19-MariaDB-0+deb12u1', 'mariadb', [10, 11, 19]],
    ['5.5.5-10.6.12-MariaDB-log', 'mariadb', [10, 6, 12]],
    ['8.0.36', 'mysql', [8, 0, 36]],
    ['8.4.2-commercial', 'mysql', [8, 4, 2]],
  ] as const)('detects %s', (raw, flavor, [major, minor, patch]) => {
    expect(detectDialect(raw)).toEqual({ flavor, version: { major, minor, patch }, raw });
  });

  it('sets the statement time limit in the unit of each server', () => {
    expect(statementTimeoutStatement(detectDialect('10.11.2-MariaDB'), 30)).toEqual({
      sql: 'SET SESSION max_statement_time = ?',
      values: [30],
    });
    expect(statementTimeoutStatement(detectDialect('8.0.36'), 30)).toEqual({
      sql: 'SET SESSION max_execution_time = ?',
      values: [30000],
    });
  });

  it('hides indexes with INVISIBLE on MySQL 8 and IGNORED on MariaDB 10.6+', () => {
    expect(hideIndexKeywords(detectDialect('8.0.36'))).toEqual({ hide: 'INVISIBLE', show: 'VISIBLE' });
    expect(hideIndexKeywords(detectDialect('10.6.1-MariaDB'))).toEqual({ hide: 'IGNORED', show: 'NOT IGNORED' });
    expect(hideIndexKeywords(detectDialect('10.5.9-MariaDB'))).toBeNull();
  });

  it('knows which servers convert a partition to a table, and the replica syntax', () => {
    expect(supportsConvertPartition(detectDialect('10.7.0-MariaDB'))).toBe(true);
    expect(supportsConvertPartition(detectDialect('10.6.9-MariaDB'))).toBe(false);
    expect(supportsConvertPartition(detectDialect('8.0.36'))).toBe(false);
    expect(replicaStatusStatement(detectDialect('8.0.36'))).toBe('SHOW REPLICA STATUS');
    expect(replicaStatusStatement(detectDialect('8.0.21'))).toBe('SHOW SLAVE STATUS');
    expect(replicaLagField(detectDialect('8.0.36'))).toBe('Seconds_Behind_Source');
    expect(replicaLagField(detectDialect('10.11.2-MariaDB'))).toBe('Seconds_Behind_Master');
  });
});

describe('tablespace sizes per dialect', () => {
  it('MariaDB reads INNODB_SYS_TABLESPACES, MySQL 8 INNODB_TABLESPACES; names by placeholder', () => {
    expect(tablespaceSizeSql(detectDialect('10.11.19-MariaDB'))).toMatch(
      /FROM information_schema\.INNODB_SYS_TABLESPACES WHERE NAME IN \(\?\)$/,
    );
    expect(tablespaceSizeSql(detectDialect('8.0.36'))).toMatch(
      /FROM information_schema\.INNODB_TABLESPACES WHERE NAME IN \(\?\)$/,
    );
  });
});
