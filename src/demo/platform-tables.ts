/** The platform's tables dbkeeper works on, as the demo and the benchmarks build them. `table` comes quoted. */

export function appointmentLocksTableSql(table: string): string {
  return `CREATE TABLE ${table} (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    company_id INT UNSIGNED NOT NULL,
    staff_id INT UNSIGNED NOT NULL,
    slot_starts_at DATETIME NOT NULL,
    lock_token CHAR(32) NOT NULL,
    expires_at DATETIME NOT NULL,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    UNIQUE KEY uq_locks_slot (company_id, staff_id, slot_starts_at),
    KEY idx_locks_expires (expires_at)
  ) ENGINE=InnoDB`;
}

/** Monthly RANGE partitions on UNIX_TIMESTAMP(created_at); `partitions` are the `PARTITION … VALUES LESS THAN …`
 * clauses. */
export function apiCallLogsTableSql(table: string, partitions: readonly string[]): string {
  return `CREATE TABLE ${table} (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    company_id INT UNSIGNED NOT NULL,
    endpoint VARCHAR(120) NOT NULL,
    status_code SMALLINT UNSIGNED NOT NULL,
    duration_ms INT UNSIGNED NOT NULL,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (id, created_at),
    KEY idx_api_call_logs_company_created (company_id, created_at)
  ) ENGINE=InnoDB
  PARTITION BY RANGE (UNIX_TIMESTAMP(created_at)) (${partitions.join(', ')})`;
}
