import type { ReportSection } from '../../src/job/report-sections.js';
import type { MissingPrivilege, PrivilegeFindings } from '../../src/db/privileges.js';

/** The start-up probes' findings as ping reports them: a summary tail, a warning each, the GRANTs to run. */
export function pingPrivilegeReport(findings: PrivilegeFindings | null): {
  summary: string;
  missing: MissingPrivilege[];
  warnings: string[];
  sections: ReportSection[];
} {
  const missing = findings?.missing ?? [];
  if (missing.length === 0) return { summary: '', missing, warnings: [], sections: [] };
  const jobs = [...new Set(missing.map((m) => m.job ?? 'dbkeeper'))];
  const fatal = missing.filter((m) => !m.degradesTo).length;
  return {
    summary:
      `; ${missing.length} privilege${missing.length === 1 ? '' : 's'} missing for ${jobs.join(', ')}` +
      (fatal ? ` (${fatal} stop a job)` : ''),
    missing,
    warnings: missing.map((m) =>
      m.degradesTo
        ? `${m.job}: without ${m.privilege} on ${m.object} it ${m.degradesTo}`
        : `${m.job}: cannot run without ${m.privilege} on ${m.object} (${m.why})`,
    ),
    sections: [
      {
        kind: 'table',
        title: 'Missing privileges (start-up probes)',
        columns: ['job', 'privilege', 'on', 'without it'],
        rows: missing.map((m) => [m.job ?? 'dbkeeper', m.privilege, m.object, m.degradesTo ?? 'the job fails']),
      },
      { kind: 'sql', title: 'GRANTs to add (run by a DBA)', statements: missing.map((m) => m.grant) },
    ],
  };
}
