import type { Connection } from 'mysql2/promise';
import { apiCallLogsTableSql, appointmentLocksTableSql } from './platform-tables.js';
import { quoteId } from '../db/sql-identifier.js';

export const DEMO_SCHEMA = 'dbkeeper_demo';
/** dbkeeper's own tables in the demo live apart from the application's, as docs/privileges.md advises for production.
 */
export const DEMO_DBKEEPER_SCHEMA = 'dbkeeper_demo_own';

function monthStartUtc(base: Date, offsetMonths: number): Date {
  return new Date(Date.UTC(base.getUTCFullYear(), base.getUTCMonth() + offsetMonths, 1));
}

function partitionName(start: Date): string {
  return `p${start.getUTCFullYear()}${String(start.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** The platform's busy tables, small: built in seconds, with something for every job to do. */
export async function createDemoSchema(conn: Connection, now: Date, schema = DEMO_SCHEMA): Promise<void> {
  const s = quoteId(schema, 'demo schema');
  await conn.query(`DROP SCHEMA IF EXISTS ${s}`);
  await conn.query(`CREATE SCHEMA ${s}`);
  await conn.query(`USE ${s}`);
  await conn.query(`CREATE TABLE ${s}.customers (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    company_id INT UNSIGNED NOT NULL,
    name VARCHAR(120) NOT NULL,
    email VARCHAR(190) NOT NULL,
    phone VARCHAR(40) NULL,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    UNIQUE KEY uq_customers_company_email (company_id, email),
    KEY idx_customers_company (company_id)
  ) ENGINE=InnoDB`);
  // The six indexes the platform wants, plus leftovers of the old 43 for the index review to find.
  await conn.query(`CREATE TABLE ${s}.appointments (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    company_id INT UNSIGNED NOT NULL,
    branch_id INT UNSIGNED NOT NULL,
    staff_id INT UNSIGNED NOT NULL,
    customer_id BIGINT UNSIGNED NOT NULL,
    starts_at DATETIME NOT NULL,
    ends_at DATETIME NOT NULL,
    status VARCHAR(20) NOT NULL,
    notes VARCHAR(255) NULL,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    KEY idx_appointments_lookup (company_id, starts_at, status),
    KEY idx_appointments_staff_schedule (staff_id, starts_at, ends_at),
    KEY idx_appointments_customer (customer_id, starts_at),
    KEY idx_appointments_branch_day (branch_id, starts_at),
    KEY idx_company (company_id),
    KEY idx_customer_starts_copy (customer_id, starts_at),
    KEY idx_status_id (status, id),
    KEY idx_notes_prefix (notes(20)),
    KEY idx_notes (notes),
    CONSTRAINT fk_appointments_customer FOREIGN KEY (customer_id) REFERENCES ${s}.customers (id)
  ) ENGINE=InnoDB`);
  await conn.query(`CREATE TABLE ${s}.calls (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    company_id INT UNSIGNED NOT NULL,
    customer_id BIGINT UNSIGNED NULL,
    started_at DATETIME NOT NULL,
    duration_s INT UNSIGNED NOT NULL,
    transcript TEXT NULL,
    KEY idx_calls_company_started (company_id, started_at),
    FULLTEXT KEY ft_calls_transcript (transcript)
  ) ENGINE=InnoDB`);
  await conn.query(appointmentLocksTableSql(`${s}.appointment_locks`));

  // api_call_logs: 8 past months + the current one, a MAXVALUE tail, rows in each month.
  const parts: string[] = [];
  for (let m = -8; m <= 0; m += 1) {
    const start = monthStartUtc(now, m);
    const end = monthStartUtc(now, m + 1);
    parts.push(`PARTITION ${partitionName(start)} VALUES LESS THAN (${end.getTime() / 1000})`);
  }
  parts.push('PARTITION pmax VALUES LESS THAN MAXVALUE');
  await conn.query(apiCallLogsTableSql(`${s}.api_call_logs`, parts));

  await seedDemoRows(conn, s, now);
}

async function seedDemoRows(conn: Connection, s: string, now: Date): Promise<void> {
  // A numbers table from a cross join keeps seeding to a handful of statements.
  await conn.query(`CREATE TEMPORARY TABLE ${s}.demo_seq (n INT UNSIGNED NOT NULL PRIMARY KEY)`);
  await conn
    .query(
      `INSERT INTO ${s}.demo_seq (n) SELECT a.n + b.n * 100 FROM
    (SELECT seq AS n FROM seq_0_to_99) a CROSS JOIN (SELECT seq AS n FROM seq_0_to_99) b`,
    )
    .catch(async () => {
      // MySQL has no SEQUENCE engine: build 0..9999 from digits.
      await conn.query(`INSERT INTO ${s}.demo_seq (n)
      SELECT d0.d + d1.d * 10 + d2.d * 100 + d3.d * 1000 FROM
      (SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) d0,
      (SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) d1,
      (SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) d2,
      (SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) d3`);
    });
  await conn.query(`INSERT INTO ${s}.customers (company_id, name, email, phone)
    SELECT 1 + n % 20, CONCAT('Customer ', n), CONCAT('c', n, '@example.test'), CONCAT('+49 30 ', n) FROM ${s}.demo_seq WHERE n < 2000`);
  await conn.query(
    `INSERT INTO ${s}.appointments (company_id, branch_id, staff_id, customer_id, starts_at, ends_at, status, notes)
    SELECT 1 + n % 20, 1 + n % 7, 1 + n % 50, 1 + n % 2000,
      ? + INTERVAL (n % 2000) HOUR, ? + INTERVAL (n % 2000) HOUR + INTERVAL 45 MINUTE,
      ELT(1 + n % 4, 'booked', 'confirmed', 'done', 'cancelled'), IF(n % 3 = 0, CONCAT('note ', n), NULL)
    FROM ${s}.demo_seq WHERE n < 8000`,
    [new Date(now.getTime() - 30 * 86_400_000), new Date(now.getTime() - 30 * 86_400_000)],
  );
  // Half of the appointments deleted: a table worth rebuilding.
  await conn.query(`DELETE FROM ${s}.appointments WHERE id % 2 = 0`);
  await conn.query(
    `INSERT INTO ${s}.calls (company_id, customer_id, started_at, duration_s, transcript)
    SELECT 1 + n % 20, 1 + n % 2000, ? - INTERVAL n MINUTE, 30 + n % 600, CONCAT('caller asked to book slot ', n)
    FROM ${s}.demo_seq WHERE n < 3000`,
    [now],
  );
  // 1,500 expired locks and 500 live ones.
  await conn.query(
    `INSERT INTO ${s}.appointment_locks (company_id, staff_id, slot_starts_at, lock_token, expires_at)
    SELECT 1 + n % 20, 1 + n % 50, ? + INTERVAL n HOUR, MD5(n), IF(n < 1500, ? - INTERVAL (1 + n) MINUTE, ? + INTERVAL (10 + n) MINUTE)
    FROM ${s}.demo_seq WHERE n < 2000`,
    [now, now, now],
  );
  // api_call_logs: rows spread over the 8 past months and the current one.
  const oldest = monthStartUtc(now, -8).getTime();
  const span = Math.max(1, Math.floor((now.getTime() - oldest) / 1000) - 60);
  await conn.query(
    `INSERT INTO ${s}.api_call_logs (company_id, endpoint, status_code, duration_ms, created_at)
    SELECT 1 + n % 20, ELT(1 + n % 3, '/v1/bookings', '/v1/availability', '/v1/calls'), IF(n % 50 = 0, 500, 200), 5 + n % 300,
      FROM_UNIXTIME(? + (n * 7919) % ?)
    FROM ${s}.demo_seq`,
    [oldest / 1000, span],
  );
  // The last day's traffic for the health job's platform targets: 2,000 calls between 23 h and 1 h ago, most of
  // them 15-174 ms, one in 40 slower by 250 ms; one in 400 a 500; two booking calls a 409 (the slot was taken).
  const dayAgo = Math.floor(now.getTime() / 1000) - 86_400;
  await conn.query(
    `INSERT INTO ${s}.api_call_logs (company_id, endpoint, status_code, duration_ms, created_at)
    SELECT 1 + n % 20, ELT(1 + n % 3, '/v1/bookings', '/v1/availability', '/v1/calls'),
      CASE WHEN n % 400 = 7 THEN 500 WHEN n % 999 = 0 THEN 409 ELSE 200 END,
      15 + (n * 7919) % 160 + IF(n % 40 = 1, 250, 0),
      FROM_UNIXTIME(? + 3600 + (n * 7919) % 79000)
    FROM ${s}.demo_seq WHERE n < 2000`,
    [dayAgo],
  );
  await conn.query(`DROP TEMPORARY TABLE ${s}.demo_seq`);
}
