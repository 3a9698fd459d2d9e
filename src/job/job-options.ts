import type { z } from 'zod';

/** A job's CLI flag: a bare switch, or a value checked by its validator before anything runs. */
export type JobOption =
  | { kind: 'flag'; description: string }
  | { kind: 'value'; description: string; example: string; value: z.ZodType<string> };

export type JobOptions = Readonly<Record<string, JobOption>>;

/** The problem with one given option, or null. Messages name the flag; the CLI prefixes the job. */
export function optionProblem(name: string, option: JobOption | undefined, given: string | boolean): string | null {
  if (!option) return `unknown flag --${name}`;
  if (option.kind === 'flag')
    return given === true ? null : `--${name} takes no value (got ${JSON.stringify(String(given))})`;
  if (given === true) return `--${name} needs a value, e.g. --${name} ${option.example}`;
  const parsed = option.value.safeParse(given);
  return parsed.success
    ? null
    : `--${name}: ${parsed.error.issues[0]?.message ?? 'invalid value'} (got ${JSON.stringify(given)})`;
}

/** Every given option checked against the declarations (the runner's guard for callers other than the CLI). */
export function jobOptionsProblem(
  declared: JobOptions | undefined,
  given: Record<string, string | boolean>,
): string | null {
  for (const [name, value] of Object.entries(given)) {
    const problem = optionProblem(name, declared?.[name], value);
    if (problem) return problem;
  }
  return null;
}
