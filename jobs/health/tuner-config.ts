import { z } from 'zod';
import { identifierSchema } from '../../src/config/identifier.js';

const count = z.number().nonnegative();
const percent = z.number().min(0).max(100);

/** The keys `jobs.health` gains for the checks mysqltuner makes. Per-day counts: ok while at or below the limit;
 * percentages marked "lower is worse": ok while at or above it. */
export const tunerConfigShape = {
  /** `Select_full_join` per day: joins that scanned a table for lack of an index (mysqltuner flags > 250 a day). */
  fullJoinsPerDayWarn: count.default(250),
  /** `Select_range_check` per day: joins that re-chose an index for every row of the previous table. */
  rangeCheckJoinsPerDayWarn: count.default(250),
  /** `Created_tmp_disk_tables` / `Created_tmp_tables` in the window (mysqltuner flags > 25 %). */
  tmpDiskTablePercentWarn: percent.default(25),
  /** Lower is worse: `Table_open_cache_hits` / (hits + misses) in the window. */
  tableOpenCacheHitPercentWarn: percent.default(80),
  /** Lower is worse: 1 − `Threads_created` / `Connections` in the window (mysqltuner flags ≤ 50 %). */
  threadCacheHitPercentWarn: percent.default(50),
  /** Lower is worse: `innodb_buffer_pool_size` as a share of the InnoDB data + index size (100: the data fits). */
  bufferPoolOfDataPercentWarn: z.number().nonnegative().default(100),
  /** Lower is worse: the redo log's size as a share of the buffer pool (mysqltuner's rule of thumb: 25 %). */
  redoLogOfBufferPoolPercentWarn: z.number().nonnegative().default(25),
  tablesWithoutPrimaryKeyWarn: count.default(0),
  indexLargerThanDataTablesWarn: count.default(0),
  /** Tables with less data than this are left out of "indexes larger than their data" (small tables always are). */
  indexLargerThanDataMinBytes: z
    .number()
    .int()
    .nonnegative()
    .default(64 * 1024 * 1024),
  /** Schemas of the two table checks; empty = every schema except mysql, sys, information_schema and
   * performance_schema. */
  tableCheckSchemas: z.array(identifierSchema).default(() => []),
  /** The server version's end of life: warn this many days before it (and after it), never fail. */
  serverEolWarnDays: z.number().int().min(0).max(3_650).default(180),
  /** Opt-in: accounts without a password, anonymous accounts, root from any host. Needs SELECT on
   * mysql.global_priv (MariaDB) or mysql.user (MySQL), which holds password hashes: only names are read out. */
  accountChecks: z.boolean().default(false),
  /** Server time limit of each of these statements (information_schema over every table can be slow). */
  tunerTimeLimitSeconds: z.number().int().min(1).max(3_600).default(30),
};
