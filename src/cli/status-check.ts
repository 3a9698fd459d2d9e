import type { JobRunStats } from '../db/run-stats.js';
import { previousSlot } from '../scheduler/cron-slots.js';

/** The Nagios/Icinga plugin convention: exit code and the word on the first line. */
export const CHECK = { ok: 0, warning: 1, critical: 2, unknown: 3 } as const;
export type CheckCode = (typeof CHECK)[keyof typeof CHECK];
const WORD: Record<CheckCode, string> = { 0: 'OK', 1: 'WARNING', 2: 'CRITICAL', 3: 'UNKNOWN' };

export interface CheckedJob {
  job: string;
  schedule: string;
  timezone: string;
  stats: JobRunStats | undefined;
  /** A row is `running` but nobody holds the job's lock: its worker died (the next start marks it interrupted). */
  orphaned?: boolean;
}

export interface CheckProblem {
  code: CheckCode;
  job: string;
  text: string;
}

export interface CheckResult {
  code: CheckCode;
  lines: string[];
}

const iso = (d: Date) => d.toISOString().replace('.000Z', 'Z');

function duration(ms: number): string {
  const m = Math.round(ms / 60_000);
  if (m < 120) return `${m} min`;
  const h = Math.round(m / 60);
  return h < 48 ? `${h} h` : `${Math.round(h / 24)} d`;
}

/** Error texts are masked by the runner; still one line and short, as a plugin line should be. */
function oneLine(text: string, max = 160): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** Whether a slot counts as done: a done run covers it, or a run that started after it is still going. */
function covered(j: CheckedJob, slot: Date): boolean {
  const t = slot.getTime();
  const running = j.orphaned ? -Infinity : (j.stats?.runningSince?.getTime() ?? -Infinity);
  return (j.stats?.lastDoneAt?.getTime() ?? -Infinity) >= t || running >= t;
}

/** Lateness of one job from its cron schedule (pure): the latest slot whose grace has passed must be covered; when
 * the slot before it is not covered either, the job is overdue by a whole period. Slots before dbkeeper's first
 * recorded run (`since`) were never expected. */
function lateness(j: CheckedJob, now: Date, graceMs: number, since: Date | null): CheckProblem | null {
  const due = previousSlot(j.schedule, j.timezone, new Date(now.getTime() - graceMs));
  if (!due || covered(j, due) || since === null || since.getTime() > due.getTime()) return null;
  const before = previousSlot(j.schedule, j.timezone, new Date(due.getTime() - 1000));
  const lastDone = j.stats?.lastDoneAt ?? null;
  const doneText = lastDone ? `last done run covers ${iso(lastDone)}` : 'no done run recorded';
  if (before && !covered(j, before) && since.getTime() <= before.getTime()) {
    return {
      code: CHECK.critical,
      job: j.job,
      text: `overdue by a whole period: slots ${iso(before)} and ${iso(due)} have no done run (${doneText})`,
    };
  }
  const late = duration(now.getTime() - due.getTime());
  return {
    code: CHECK.warning,
    job: j.job,
    text: `late: slot ${iso(due)} has no done run ${late} after it (grace ${graceMs / 1000} s; ${doneText})`,
  };
}

function lastRunProblem(j: CheckedJob): CheckProblem | null {
  if (j.orphaned && j.stats?.runningSince) {
    return {
      code: CHECK.critical,
      job: j.job,
      text: `a run started ${iso(j.stats.runningSince)} is recorded running but its lock is free: the worker running it died`,
    };
  }
  const last = j.stats?.lastFinished;
  if (!last) return null;
  const at = iso(last.finishedAt ?? last.startedAt);
  if (last.status === 'failed' || last.status === 'interrupted') {
    const error =
      last.errorMessage === null ? '' : `: ${oneLine(`${last.errorClass ?? 'Error'}: ${last.errorMessage}`)}`;
    return { code: CHECK.critical, job: j.job, text: `last run #${last.id} ${last.status} at ${at}${error}` };
  }
  if (last.status === 'warning') {
    return {
      code: CHECK.warning,
      job: j.job,
      text: `last run #${last.id} at ${at} needs attention${last.summaryLine ? `: ${oneLine(last.summaryLine)}` : ''}`,
    };
  }
  return null;
}

/** The whole check, pure: every enabled job's last run and lateness; the first line in the plugin format, then
 * one line per problem (worst first), performance data after `|`. */
export function planStatusCheck(
  jobs: readonly CheckedJob[],
  now: Date,
  graceSeconds: number,
  since: Date | null,
): CheckResult {
  const problems: CheckProblem[] = [];
  if (since === null && jobs.length > 0) {
    problems.push({
      code: CHECK.warning,
      job: '*',
      text: 'dbkeeper_runs has no runs: the worker has not run here yet',
    });
  }
  for (const j of jobs) {
    for (const p of [lastRunProblem(j), lateness(j, now, graceSeconds * 1000, since)]) if (p) problems.push(p);
  }
  problems.sort((a, b) => b.code - a.code);
  const code = (problems[0]?.code ?? CHECK.ok) as CheckCode;
  const crit = problems.filter((p) => p.code === CHECK.critical).length;
  const warn = problems.filter((p) => p.code === CHECK.warning).length;
  const perf = `| jobs=${jobs.length} critical=${crit} warning=${warn}`;
  const head =
    problems.length === 0
      ? `${jobs.length} enabled job${jobs.length === 1 ? '' : 's'} ran on time`
      : problems.map((p) => (p.job === '*' ? p.text : `${p.job}: ${p.text}`))[0]! +
        (problems.length > 1 ? ` (+${problems.length - 1} more)` : '');
  return {
    code,
    lines: [
      `DBKEEPER ${WORD[code]} - ${oneLine(head, 200)} ${perf}`,
      ...problems.map((p) => `${WORD[p.code]} ${p.job === '*' ? '' : `${p.job}: `}${p.text}`),
    ],
  };
}

/** UNKNOWN: the check itself could not be made (database, configuration, arguments). */
export function unknownCheck(reason: string): CheckResult {
  return { code: CHECK.unknown, lines: [`DBKEEPER UNKNOWN - ${oneLine(reason, 300)}`] };
}
