/** A schema with known duplicate, redundant and healthy indexes: shared by the integration test and the
 * pt-duplicate-key-checker comparison script, so both look at the same thing. */
import type { Connection } from 'mysql2/promise';
import { quoteId } from '../db/sql-identifier.js';

export async function createIndexReviewFixture(conn: Connection, schema: string, rows = 200): Promise<void> {
  const s = quoteId(schema, 'fixture schema');
  await conn.query(`DROP SCHEMA IF EXISTS ${s}`);
  await conn.query(`CREATE SCHEMA ${s}`);
  await conn.query(`CREATE TABLE ${s}.customers (
    id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    email VARCHAR(100) NOT NULL,
    name VARCHAR(100) NOT NULL,
    UNIQUE KEY uq_email (email),
    KEY idx_email (email)
  ) ENGINE=InnoDB`);
  await conn.query(`CREATE TABLE ${s}.bookings (
    id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    company_id INT UNSIGNED NOT NULL,
    customer_id INT UNSIGNED NOT NULL,
    starts_at DATETIME NOT NULL,
    status VARCHAR(20) NOT NULL,
    code VARCHAR(40) NOT NULL,
    email VARCHAR(100) NOT NULL,
    notes VARCHAR(200) NULL,
    UNIQUE KEY uq_code (code),
    UNIQUE KEY uq_code_again (code),
    KEY idx_company_starts (company_id, starts_at),
    KEY idx_company (company_id),
    KEY idx_customer (customer_id),
    KEY idx_status (status),
    KEY idx_status_copy (status),
    KEY idx_notes20 (notes(20)),
    KEY idx_notes (notes),
    KEY idx_email_id (email, id),
    KEY idx_code_status (code, status),
    KEY idx_starts (starts_at),
    CONSTRAINT fk_bookings_customer FOREIGN KEY (customer_id) REFERENCES ${s}.customers (id)
  ) ENGINE=InnoDB`);
  await conn.query(`CREATE TABLE ${s}.docs (
    id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    body TEXT NOT NULL,
    KEY idx_body (body(50)),
    FULLTEXT KEY ft_body (body)
  ) ENGINE=InnoDB`);
  await conn.query(`CREATE TABLE ${s}.tenant_items (
    tenant_id INT UNSIGNED NOT NULL,
    id INT UNSIGNED NOT NULL,
    ref VARCHAR(30) NOT NULL,
    PRIMARY KEY (tenant_id, id),
    KEY idx_tenant (tenant_id),
    KEY idx_ref (ref),
    KEY idx_ref_tenant_id (ref, tenant_id, id)
  ) ENGINE=InnoDB`);

  const n = Array.from({ length: rows }, (_, i) => i + 1);
  await conn.query(`INSERT INTO ${s}.customers (id, email, name) VALUES ?`, [n.map((i) => [i, `c${i}@example.test`, `Customer ${i}`])]);
  await conn.query(`INSERT INTO ${s}.bookings (company_id, customer_id, starts_at, status, code, email, notes) VALUES ?`, [
    n.map((i) => [1 + (i % 10), i, new Date(Date.UTC(2026, 0, 1) + i * 3_600_000), ['booked', 'done', 'cancelled'][i % 3], `B${i}`, `c${i}@example.test`, i % 2 ? `note ${i}` : null]),
  ]);
  await conn.query(`INSERT INTO ${s}.docs (body) VALUES ?`, [n.map((i) => [`call transcript number ${i} about a booking`])]);
  await conn.query(`INSERT INTO ${s}.tenant_items (tenant_id, id, ref) VALUES ?`, [n.map((i) => [1 + (i % 5), i, `R${i % 40}`])]);
  for (const t of ['customers', 'bookings', 'docs', 'tenant_items']) await conn.query(`ANALYZE TABLE ${s}.${quoteId(t, 'table')}`);
}
