// The docker/Kubernetes secrets convention: DB_PASSWORD_FILE=/run/secrets/db names a file that holds the value.
import { readFileSync } from 'node:fs';

/** The secrets that may come from a file, and the env key that holds the value itself. */
export const SECRET_FILE_KEYS = [
  { fileKey: 'DB_PASSWORD_FILE', valueKey: 'DB_PASSWORD' },
  { fileKey: 'DB_READ_PASSWORD_FILE', valueKey: 'DB_READ_PASSWORD' },
  { fileKey: 'SMTP_PASSWORD_FILE', valueKey: 'SMTP_PASSWORD' },
] as const;

/** One trailing newline (\n or \r\n) is how editors and `echo` end a file; it is not part of the secret. */
export function stripOneTrailingNewline(text: string): string {
  if (text.endsWith('\r\n')) return text.slice(0, -2);
  if (text.endsWith('\n')) return text.slice(0, -1);
  return text;
}

/** The env with each `*_FILE` replaced by the value it names; problems name the keys, never the contents. */
export function resolveSecretFiles(
  env: NodeJS.ProcessEnv,
  read: (path: string) => string = (p) => readFileSync(p, 'utf8'),
): { env: NodeJS.ProcessEnv; problems: string[] } {
  const out: NodeJS.ProcessEnv = { ...env };
  const problems: string[] = [];
  for (const { fileKey, valueKey } of SECRET_FILE_KEYS) {
    const path = env[fileKey];
    if (path === undefined || path === '') continue;
    if (env[valueKey] !== undefined && env[valueKey] !== '') {
      problems.push(`${fileKey} and ${valueKey}: both are set; set one of them`);
      continue;
    }
    try {
      out[valueKey] = stripOneTrailingNewline(read(path));
    } catch (err) {
      problems.push(`${fileKey}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    delete out[fileKey];
  }
  return { env: out, problems };
}
