import { onTable, type JobPrivileges } from '../../src/db/privileges.js';
import type { PerformanceReviewConfig } from './config.js';

/** The statement sources in the order the job tries them; status and variables need no grant. */
export const performanceReviewPrivileges: JobPrivileges<PerformanceReviewConfig> = () => [
  {
    privilege: 'SELECT',
    object: onTable('performance_schema', 'events_statements_summary_by_digest'),
    why: 'top statements by total and average time (normalized digests, no values) when performance_schema is ON',
  },
  {
    privilege: 'SELECT',
    object: onTable('mysql', 'slow_log'),
    why:
      'top statements from the slow log table when performance_schema is OFF and log_output includes TABLE ' +
      '(it holds real statements: customer values)',
    degradesTo:
      'no review from the slow log table (the slow log file is read when the worker runs on the database host)',
  },
];
