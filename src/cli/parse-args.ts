import { parseAccount, type Account } from '../db/grant-text.js';
import { optionProblem, type JobOptions } from '../job/job-options.js';
import { parseIsoInstant } from '../time/parse-iso-instant.js';

/** The CLI's grammar, pure: argv → a command, or a usage error naming what is wrong. */
export type CliCommand =
  | { kind: 'help' }
  | { kind: 'list'; json: boolean }
  | { kind: 'status'; json: boolean; check: boolean }
  | { kind: 'config'; json: boolean }
  | { kind: 'report'; preview: true; out?: string }
  | { kind: 'grants'; account?: Account; dialect?: 'mariadb' | 'mysql' }
  | {
      kind: 'run';
      job: string;
      dryRun: boolean;
      json: boolean;
      email: boolean;
      at?: Date;
      options: Record<string, string | boolean>;
    };

export class UsageError extends Error {
  override name = 'UsageError';
}

export const USAGE = `usage: npm run job -- <command>

  list                      jobs, schedules and next run times
  status [--json]           last run of each job, next scheduled time, host that ran it
  status --check            a monitoring plugin (Nagios/Icinga): exit 0 OK, 1 WARNING (a run warned or a job is late),
                            2 CRITICAL (a last run failed, or a job is overdue by a whole period), 3 UNKNOWN (database,
                            configuration or arguments); first line "DBKEEPER <STATE> - …", then one line per problem
  config [--json]           the effective configuration (secrets masked) and where each value came from;
                            needs no database
  grants [--user 'dbkeeper'@'10.%'] [--dialect mariadb|mysql]
                            the GRANT statements this configuration needs, per job, each privilege with why
                            (default: DB_USERNAME@'%'; the dialect of the connected server, or both)
  report --preview [--out <file.html>]
                            render the last run of each job as the email report would show it,
                            write it to an .html file (default: in the outbox folder) and print its path
  <job> [--dry-run] [--json] [--at <ISO time>] [--email] [job flags]
                            run one job now through the same safety path as a scheduled run
                            --dry-run  plan only, change nothing
                            --json     print the result as JSON on stdout (logs go to stderr)
                            --at       evaluate as if at that time, e.g. 2027-03-01T04:30:00Z (with --dry-run only)
                            --email    also email the report of this manual run

exit codes (status --check has its own, above): 0 ok, 1 job failed, 2 usage error, 75 locked by another worker, 78 bad configuration`;

/** `jobOptions` gives a job's declared flags (undefined: no such job). Every value is checked here, before a
 * connection, lock or run row exists. */
export function parseArgs(argv: readonly string[], jobOptions: (job: string) => JobOptions | undefined): CliCommand {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') return { kind: 'help' };
  if (command === 'list' || command === 'status' || command === 'config') {
    const json = rest.includes('--json');
    const check = command === 'status' && rest.includes('--check');
    const unknown = rest.filter((a) => a !== '--json' && !(command === 'status' && a === '--check'));
    if (unknown.length > 0) throw new UsageError(`${command}: unknown argument ${unknown[0]}`);
    if (check && json) throw new UsageError('status: --check prints plugin lines; it takes no --json');
    return command === 'status' ? { kind: command, json, check } : { kind: command, json };
  }
  if (command === 'report') return parseReport(rest);
  if (command === 'grants') return parseGrants(rest);
  const allowed = jobOptions(command);
  if (!allowed) throw new UsageError(`unknown job or command: ${command} (see: npm run job -- list)`);
  let dryRun = false;
  let json = false;
  let email = false;
  let at: Date | undefined;
  const options: Record<string, string | boolean> = {};
  for (let i = 0; i < rest.length; i += 1) {
    const arg = rest[i]!;
    if (arg === '--dry-run') dryRun = true;
    else if (arg === '--json') json = true;
    else if (arg === '--email') email = true;
    else if (arg === '--at' || arg.startsWith('--at=')) {
      const value = arg === '--at' ? rest[++i] : arg.slice('--at='.length);
      if (!value) throw new UsageError('--at needs an ISO time, e.g. --at 2027-03-01T04:30:00Z');
      const parsed = parseIsoInstant(value);
      if (!parsed)
        throw new UsageError(`--at: not an ISO time with its zone (a real date, e.g. 2027-03-01T04:30:00Z): ${value}`);
      at = parsed;
    } else if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const flag = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      const option = allowed[flag];
      const names = Object.keys(allowed);
      if (!option)
        throw new UsageError(
          `${command}: unknown flag --${flag}${names.length ? ` (job flags: ${names.map((f) => `--${f}`).join(', ')})` : ''}`,
        );
      // `--flag=value` or `--flag value` (no positional arguments exist to confuse it with); a bare flag takes neither.
      const next = rest[i + 1];
      let value: string | boolean = eq < 0 ? true : arg.slice(eq + 1);
      if (value === true && next !== undefined && !next.startsWith('--')) {
        value = next;
        i += 1;
      }
      const problem = optionProblem(flag, option, value);
      if (problem) throw new UsageError(`${command}: ${problem}`);
      options[flag] = value;
    } else throw new UsageError(`${command}: unexpected argument ${arg}`);
  }
  if (at && !dryRun) throw new UsageError('--at is allowed with --dry-run only');
  return { kind: 'run', job: command, dryRun, json, email, ...(at ? { at } : {}), options };
}

function parseReport(rest: readonly string[]): CliCommand {
  let preview = false;
  let out: string | undefined;
  for (let i = 0; i < rest.length; i += 1) {
    const arg = rest[i]!;
    if (arg === '--preview') preview = true;
    else if (arg === '--out' || arg.startsWith('--out=')) {
      const value = arg === '--out' ? rest[++i] : arg.slice('--out='.length);
      if (!value) throw new UsageError('--out needs a file path, e.g. --out /tmp/report.html');
      out = value;
    } else throw new UsageError(`report: unknown argument ${arg}`);
  }
  if (!preview) throw new UsageError('report: say what to do: --preview');
  return { kind: 'report', preview: true, ...(out ? { out } : {}) };
}

function parseGrants(rest: readonly string[]): CliCommand {
  const cmd: Extract<CliCommand, { kind: 'grants' }> = { kind: 'grants' };
  for (let i = 0; i < rest.length; i += 1) {
    const arg = rest[i]!;
    const [flag, inline] = arg.includes('=')
      ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
      : [arg, undefined];
    if (flag !== '--user' && flag !== '--dialect') throw new UsageError(`grants: unknown argument ${arg}`);
    const value = inline ?? rest[++i];
    if (flag === '--user') {
      if (!value) throw new UsageError("--user needs an account, e.g. --user 'dbkeeper'@'10.%'");
      const account = parseAccount(value);
      if (typeof account === 'string') throw new UsageError(`--user: ${account} (got ${JSON.stringify(value)})`);
      cmd.account = account;
    } else {
      if (value !== 'mariadb' && value !== 'mysql')
        throw new UsageError(`--dialect: mariadb or mysql (got ${JSON.stringify(value ?? '')})`);
      cmd.dialect = value;
    }
  }
  return cmd;
}
